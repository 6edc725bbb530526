/**
 * Message bodies that try to run script, load something from elsewhere or smuggle an element into the page through
 * the Markdown renderer. Each payload that would run sets `window.__xss` or calls `alert`, which e2e/formatting.spec.ts
 * watches for. Every body is a valid message: at most 4,000 characters, never blank.
 */
const RUN = 'window.__xss=1';
const EVIL = 'https://evil.example';

/** 4,000 characters: the longest message there is. */
const longest = (unit: string, tail = '') => unit.repeat(Math.floor((4000 - tail.length) / unit.length)) + tail;

export const XSS_CORPUS: readonly string[] = [
  // Raw HTML: shown as the text it is.
  `<script>${RUN}</script>`,
  `<SCRIPT SRC=${EVIL}/x.js></SCRIPT>`,
  `<img src=x onerror="${RUN}">`,
  `<img src="${EVIL}/raw.png">`,
  `<svg onload="${RUN}">`,
  `<svg><script>${RUN}</script></svg>`,
  `<svg><a xlink:href="javascript:${RUN}"><text x="0" y="20">svg link</text></a></svg>`,
  `<iframe src="javascript:top.__xss=1"></iframe>`,
  `<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
  `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4=" type="image/svg+xml">`,
  `<object data="javascript:${RUN}"></object>`,
  `<style>@import '${EVIL}/x.css'; body { background: url(${EVIL}/bg.png) }</style>`,
  `<link rel=stylesheet href=${EVIL}/x.css>`,
  `<a href="javascript:${RUN}">raw anchor</a>`,
  `<a href="https://example.org" onclick="${RUN}">raw anchor with a handler</a>`,
  `<body onload=${RUN}>`,
  `<details open ontoggle=${RUN}>`,
  `<input autofocus onfocus=${RUN}>`,
  `<video><source onerror="${RUN}"></video>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${RUN}>`,
  `<noscript><p title="</noscript><img src=x onerror=${RUN}>">`,
  `<template><script>${RUN}</script></template>`,
  `<!-- --><script>${RUN}</script><!-- -->`,
  `<![CDATA[<script>${RUN}</script>]]>`,
  `<base href="${EVIL}/">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${RUN}">`,
  `<form action="javascript:${RUN}"><button>go</button></form>`,
  `<div style="background:url(javascript:${RUN})">styled</div>`,
  // Links to what is not http, https or mailto: shown as text.
  `[click](javascript:${RUN})`,
  `[click](JaVaScRiPt:${RUN})`,
  `[click](&#106;avascript:${RUN})`,
  `[click](&#x6A;&#x61;vascript:${RUN})`,
  `[click](java&#09;script:${RUN})`,
  `[click](  javascript:${RUN})`,
  `[click](<javascript:${RUN}>)`,
  `[click](java\u200Bscript:${RUN})`,
  `[click](data:text/html,<script>${RUN}</script>)`,
  `[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)`,
  `[click](vbscript:msgbox(1))`,
  `[click](file:///etc/passwd)`,
  `[click](//evil.example/x)`,
  `[click](/api/auth/logout)`,
  `[click](javascript:${RUN} "a title")`,
  `[a](https://example.org 'x" onclick="${RUN}')`,
  `[x](https://example.org" onmouseover="${RUN})`,
  `<javascript:${RUN}>`,
  `<JAVASCRIPT:${RUN}>`,
  `<data:text/html,<script>${RUN}</script>>`,
  `<vbscript:msgbox(1)>`,
  `<https://example.org/"onmouseover="${RUN}>`,
  `javascript:${RUN} written bare`,
  `https://example.org/"><script>${RUN}</script>`,
  // Reference links are not parsed.
  `[x][ref]\n\n[ref]: javascript:${RUN}`,
  `[x]\n\n[x]: ${EVIL}/ref`,
  // Images: their source, never fetched.
  `![x](${EVIL}/x.png)`,
  `![x](javascript:${RUN})`,
  `![<img src=x onerror=${RUN}>](${EVIL}/y.png)`,
  `[![img](${EVIL}/z.png)](https://example.org)`,
  `![x][img]\n\n[img]: ${EVIL}/ref.png`,
  // Markdown, nested and broken.
  `**[x](javascript:${RUN})**`,
  `_[x](javascript:${RUN})_`,
  `[**bold text**](javascript:${RUN})`,
  `# <script>${RUN}</script>`,
  `| <img src=x onerror=${RUN}> | b |\n| --- | --- |\n| 1 | 2 |`,
  '```\n<script>window.__xss=1</script>\nthe fence is never closed',
  '```html\n<img src=x onerror=window.__xss=1>\n```',
  '`<script>window.__xss=1</script>`',
  `> <img src=x onerror=${RUN}>\n> - <svg onload=${RUN}>`,
  '['.repeat(4000),
  '*['.repeat(2000),
  '>'.repeat(1000) + ` <img src=x onerror=${RUN}>`,
  longest('*_', 'x'),
  longest('> - '),
  Array.from({ length: 55 }, (_, level) => `${'  '.repeat(level)}- level ${level}`).join('\n'),
  longest('A'),
  `[long](https://example.org/${'a'.repeat(3960)})`,
  // Entities stay as typed.
  `&lt;script&gt;${RUN}&lt;/script&gt;`,
  `&#60;img src=x onerror=${RUN}&#62;`,
  // Bidi and zero-width tricks: isolated, and the address is what it is.
  `[https://good.example\u202Eelpmaxe.live](${EVIL})`,
  `[x](${EVIL}/\u202Egnp.exe)`,
  `www.goo\u200Bgle.com and https://exa\u200Bmple.org`,
  `\u202Eright to left [link](https://example.org) after`,
];
