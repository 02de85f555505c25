// The same routing work as the reference server (direct messages to every connection of a user,
// rooms, acks), on Node.js and the `ws` package: the point of comparison of bench/ws_load.py.
//   node server.js <port>      prints "listening on 127.0.0.1:<port>"
'use strict';
const { WebSocketServer } = require('ws');

const users = new Map(); // user id -> Set of sockets
const rooms = new Map(); // room -> Set of sockets
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] || 0),
  maxPayload: 64 * 1024,
  handleProtocols: protocols => (protocols.has('chat.v1') ? 'chat.v1' : false),
});

function send(sockets, text) {
  for (const s of sockets) s.send(text);
  return sockets.size;
}

wss.on('connection', (ws, req) => {
  const user = Number(new URL(req.url, 'http://x').searchParams.get('user'));
  if (!users.has(user)) users.set(user, new Set());
  users.get(user).add(ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'text frames only');
    let m;
    try { m = JSON.parse(data); } catch { return ws.send(JSON.stringify({ type: 'error', code: 'malformed-json' })); }
    if (m.type === 'msg') {
      const to = users.get(m.to) || new Set();
      const n = send(to, JSON.stringify({ type: 'msg', from: user, text: m.text, id: m.id }));
      ws.send(JSON.stringify({ type: 'ack', id: m.id, delivered: n }));
    } else if (m.type === 'join') {
      if (!rooms.has(m.room)) rooms.set(m.room, new Set());
      const members = rooms.get(m.room);
      const n = send(members, JSON.stringify({ type: 'presence', user, online: true }));
      members.add(ws);
      ws.send(JSON.stringify({ type: 'ack', id: m.id, delivered: n }));
    } else if (m.type === 'room') {
      const members = rooms.get(m.room) || new Set();
      const n = send(members, JSON.stringify({ type: 'room', room: m.room, from: user, text: m.text, id: m.id }));
      ws.send(JSON.stringify({ type: 'ack', id: m.id, delivered: n }));
    }
  });
  ws.on('close', () => {
    users.get(user).delete(ws);
    if (users.get(user).size === 0) users.delete(user);
    for (const members of rooms.values()) members.delete(ws);
  });
});
wss.on('listening', () => console.log(`listening on 127.0.0.1:${wss.address().port}`));
process.on('SIGTERM', () => process.exit(0));
