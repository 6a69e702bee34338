/**
 * The dashboard's stylesheet and script, shipped inside the package as code (no build step, no CDN): pages work
 * without the script; it adds live polling, auto-submitting selects, confirmations and the filter editor's checks.
 */
export const css = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;background:#f5f6f8}
a{color:#1554c0}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #f0b400;outline-offset:1px}
header.top{background:#16233a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header.top a{color:#fff}
header.top .brand{font-weight:700;margin-right:auto}
header.top form{margin:0;display:flex;gap:.4rem;align-items:center}
nav.main{background:#fff;border-bottom:1px solid #dde1e7;padding:.3rem 1rem;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
nav.main a{padding:.35rem 0;text-decoration:none}
nav.main a[aria-current=page]{font-weight:700;border-bottom:3px solid #1554c0}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.4rem;margin:.3rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .6rem}
.crumb{color:#5a6575;font-size:.9rem}
.crumb a[aria-current=page]{font-weight:700;color:#1b2330;text-decoration:none}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:1rem;margin-bottom:1rem}
.card li,ol li{overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid #dde1e7;border-radius:6px;margin-bottom:1rem}
.card>h2:first-child{margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5;font-weight:600;white-space:nowrap}
td.mono,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
.actions{display:flex;flex-wrap:wrap;gap:.3rem}
.actions form{margin:0}
button,.button{font:inherit;padding:.35rem .8rem;border-radius:4px;border:1px solid #1554c0;background:#1554c0;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1554c0}
button.danger{background:#b3261e;border-color:#b3261e}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
label.inline{display:inline-flex;gap:.4rem;align-items:center;font-weight:400;margin:.2rem 1rem .2rem 0}
input[type=text],input[type=email],input[type=url],input[type=password],input[type=search],input[type=datetime-local],input[type=number],select,textarea{font:inherit;padding:.35rem .5rem;border:1px solid #b8c0cc;border-radius:4px;width:100%;max-width:36rem;background:#fff}
textarea{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;min-height:6rem}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.2rem 1rem;align-items:end}
.filters label{margin:.3rem 0 .1rem}
fieldset{border:1px solid #dde1e7;border-radius:6px;margin:.6rem 0}
.events{max-height:16rem;overflow:auto;columns:18rem}
.events label{margin:.1rem 0;break-inside:avoid}
.notice{padding:.6rem .8rem;border-radius:4px;margin-bottom:1rem}
.notice.ok{background:#e3f4e8;border:1px solid #8fcf9f}
.notice.error{background:#fdeaea;border:1px solid #e39a96}
.notice.info{background:#eaf1fb;border:1px solid #9bb5dc}
fieldset.read-only{border:0;padding:0;margin:0;min-width:0}
.field-error{color:#b3261e;font-size:.9rem;margin:.2rem 0}
.badge{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:.8rem;font-weight:600;background:#e7eaf0}
.badge.sent,.badge.active,.badge.completed{background:#dcf2e2;color:#1d6b34}
.badge.failed,.badge.inactive,.badge.deleted{background:#fbe0de;color:#8f1d16}
.badge.retrying,.badge.pending,.badge.paused,.badge.running,.badge.scheduled{background:#fdf0d0;color:#7a5300}
pre{background:#0f1724;color:#e6edf6;padding:.8rem;border-radius:6px;overflow:auto;font-size:.82rem;max-height:28rem}
.muted{color:#5a6575}
dt{font-weight:600;color:#3b4656;font-size:.9rem}dd{margin:0 0 .5rem}
.narrow{max-width:30rem;margin:2rem auto}
.pager{display:flex;gap:1rem;margin:.8rem 0}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
.legend{white-space:normal}.legend .item{white-space:nowrap}.legend svg{vertical-align:middle;margin-left:.6rem}
figure{margin:0 0 1rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:600px){main{padding:.6rem}th,td{padding:.35rem .4rem}header.top .brand{width:100%}}
`;

export const js = `
(function(){
  'use strict';
  var csrf = document.querySelector('meta[name=csrf-token]');
  csrf = csrf ? csrf.getAttribute('content') : '';
  function poll(el){
    var ms = Number(el.getAttribute('data-every')) || 3000;
    var busy = false;
    setInterval(function(){
      if (busy || document.hidden) return;
      busy = true;
      fetch(el.getAttribute('data-poll'), {headers:{'x-requested-with':'fetch'}, credentials:'same-origin'})
        .then(function(r){ if (r.status === 401) { location.href = '/dashboard/sign-in'; return null; } return r.ok ? r.text() : null; })
        .then(function(t){ if (t !== null && t !== el.innerHTML) el.innerHTML = t; })
        .catch(function(){})
        .then(function(){ busy = false; });
    }, ms);
  }
  document.querySelectorAll('[data-poll]').forEach(poll);
  document.querySelectorAll('select[data-autosubmit]').forEach(function(s){
    s.addEventListener('change', function(){ s.form.submit(); });
  });
  document.addEventListener('submit', function(e){
    var f = e.target, msg = f.getAttribute && f.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  document.querySelectorAll('[data-all-events]').forEach(function(box){
    var set = document.getElementById(box.getAttribute('data-all-events'));
    function sync(){ set.disabled = box.checked; }
    box.addEventListener('change', sync); sync();
  });
  document.querySelectorAll('textarea[data-validate]').forEach(function(area){
    var out = document.getElementById(area.getAttribute('aria-describedby').split(' ')[0]);
    var timer = null;
    function check(){
      var value = area.value, parsed;
      try { parsed = JSON.parse(value); } catch (err) { out.textContent = 'Not valid JSON: ' + err.message; area.setAttribute('aria-invalid','true'); return; }
      fetch(area.getAttribute('data-validate'), {method:'POST', credentials:'same-origin',
        headers:{'content-type':'application/json','x-csrf-token':csrf,'x-requested-with':'fetch'}, body: JSON.stringify({filter: parsed})})
        .then(function(r){ return r.json(); })
        .then(function(b){ out.textContent = b.error || ''; area.setAttribute('aria-invalid', b.error ? 'true' : 'false'); })
        .catch(function(){});
    }
    area.addEventListener('input', function(){ clearTimeout(timer); timer = setTimeout(check, 400); });
  });
})();
`;
