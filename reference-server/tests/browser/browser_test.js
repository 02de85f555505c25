// A real browser against the reference server: Debian's chromium, driven by playwright-core.
// Two pages load GET /, connect as 1001 and 1002 and exchange a message through the chat page; a page
// served from another origin tries to open the WebSocket and is refused (HTTP 403 at the handshake).
//
//   node browser_test.js <es-chat-server binary>
'use strict';
const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const http = require('http');
const net = require('net');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

function startServer(binary, port) {
  const proc = spawn(binary, [`--port=${port}`, `--allowed-origins=http://127.0.0.1:${port}`],
                     { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    proc.stdout.once('data', d => d.toString().startsWith('listening on') ? resolve(proc)
                                                                         : reject(new Error(d.toString())));
    proc.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
}

async function metric(port, name) {
  const text = await new Promise((resolve, reject) => http.get(`http://127.0.0.1:${port}/metrics`, res => {
    let body = '';
    res.on('data', c => { body += c; });
    res.on('end', () => resolve(body));
  }).on('error', reject));
  const line = text.split('\n').find(l => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log('ok: ' + message);
}

async function main() {
  const binary = process.argv[2];
  const port = await freePort();
  const server = await startServer(binary, port);
  // A second origin: a page on another port that tries to open the chat socket.
  const evilPort = await freePort();
  const evil = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<script>
      const ws = new WebSocket('ws://127.0.0.1:${port}/ws?user=666', 'chat.v1');
      ws.onopen = () => { document.title = 'opened'; };
      ws.onclose = e => { document.title = 'closed ' + e.code; };
    </script>`);
  }).listen(evilPort, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const alice = await browser.newPage();
    const bob = await browser.newPage();
    for (const [page, user] of [[alice, '1001'], [bob, '1002']]) {
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.fill('#user', user);
      await page.click('#connect');
      await page.waitForFunction(u => document.querySelector('#state').textContent === 'connected as ' + u, user);
    }
    check(true, 'the chat page loads and two browser pages connect as 1001 and 1002');
    await alice.fill('#to', '1002');
    await alice.fill('#text', 'hello from a real browser');
    await alice.click('#send');
    await bob.waitForFunction(() => document.querySelector('#log').textContent.includes('1001: hello from a real browser'));
    check(true, '1002 receives the message 1001 sent');
    await alice.waitForFunction(() => document.querySelector('#log').textContent.includes('delivered to 1 connection(s)'));
    check(true, '1001 gets the acknowledgement');

    const before = await metric(port, 'chat_connections_accepted_total');
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    await page.waitForFunction(() => document.title.startsWith('closed') || document.title === 'opened');
    const title = await page.title();
    check(title === 'closed 1006', `a page from another origin is refused (its socket: "${title}")`);
    const refused = (await new Promise(resolve => http.get(`http://127.0.0.1:${port}/metrics`, res => {
      let b = ''; res.on('data', c => { b += c; }); res.on('end', () => resolve(b));
    }))).includes('chat_rejections_total{reason="origin"} 1');
    check(refused, 'the server counted one refusal for origin (HTTP 403)');
    check(await metric(port, 'chat_connections_accepted_total') === before, 'no connection was accepted for it');
  } finally {
    await browser.close();
    evil.close();
    server.kill('SIGTERM');
  }
  console.log('PASS');
}

main().catch(e => { console.error('FAIL: ' + e.message); process.exit(1); });
