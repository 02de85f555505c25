// GET /: a small page for trying the server in a browser.
#pragma once

#include <string_view>

namespace chat {

inline constexpr std::string_view chat_page = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ErrorShield reference chat</title>
<style>
body{font:15px system-ui,sans-serif;max-width:720px;margin:2em auto;color:#1f2328}
input,button{font:inherit;padding:4px 8px}#log{border:1px solid #d0d7de;border-radius:6px;
height:320px;overflow:auto;padding:8px;margin:1em 0;white-space:pre-wrap}
.sys{color:#57606a}.err{color:#cf222e}
</style></head><body>
<h1>ErrorShield reference chat</h1>
<p>User <input id="user" value="1001" size="6"> <button id="connect">Connect</button>
 <span id="state" class="sys">disconnected</span></p>
<div id="log" aria-live="polite"></div>
<p>To <input id="to" value="1002" size="6"> <input id="text" size="40" placeholder="message">
 <button id="send" disabled>Send</button></p>
<script>
let ws = null, seq = 0;
const $ = id => document.getElementById(id);
function show(text, cls) {
  const line = document.createElement('div');
  if (cls) line.className = cls;
  line.textContent = text;
  $('log').appendChild(line);
  $('log').scrollTop = $('log').scrollHeight;
}
$('connect').onclick = () => {
  if (ws) ws.close(1000, 'bye');
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
              '/ws?user=' + encodeURIComponent($('user').value);
  ws = new WebSocket(url, 'chat.v1');
  ws.onopen = () => { $('state').textContent = 'connected as ' + $('user').value;
                      $('send').disabled = false; };
  ws.onclose = e => { $('state').textContent = 'closed (' + e.code + ')';
                      $('send').disabled = true; };
  ws.onmessage = e => {
    const m = JSON.parse(e.data);
    if (m.type === 'msg') show(m.from + ': ' + m.text);
    else if (m.type === 'presence') show('user ' + m.user + (m.online ? ' online' : ' offline'), 'sys');
    else if (m.type === 'error') show('error ' + m.code + ': ' + m.message, 'err');
    else if (m.type === 'ack') show('delivered to ' + m.delivered + ' connection(s)', 'sys');
  };
};
$('send').onclick = () => {
  const text = $('text').value;
  ws.send(JSON.stringify({type: 'msg', to: Number($('to').value), text, id: 'p' + (++seq)}));
  show('me -> ' + $('to').value + ': ' + text);
  $('text').value = '';
};
</script></body></html>
)HTML";

} // namespace chat
