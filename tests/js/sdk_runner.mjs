// Runs calls of the official MyDataHelps JS SDK (unmodified) in Node against a base URL.
//
// stdin: {"baseUrl": "...", "token": {access_token, expires_in, token_type}, "calls": [
//           {"id": "...", "fn": "querySurveyAnswers", "args": [...], "items": "surveyAnswers"?,
//            "paging": "cursor" | "pageNumber" | null, "file": {base64, type, name}?}]}
// stdout: {"results": {id: {"ok": bool, "value"?: any, "items"?: [...], "pages"?: n, "error"?: str}},
//          "requests": [{"method", "url", "status"}]}
//
// The SDK is a browser ES module: it reads window.location, document.location,
// window.addEventListener and navigator.language at load. Those are shimmed here, nothing else.
// "paging": the runner follows nextPageID (or pageNumber up to the total) the way the SDK's
// own callers (MyDataHelpsUI's query-all-* helpers) do, collecting every page's items.

// the SDK logs with console.log (e.g. "Unable to persist participant"): keep stdout for our JSON
console.log = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");

const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  requests.push({ method: (init && init.method) || "GET", url: String(url), status: response.status });
  return response;
};

let redirectedTo = null;
const location = new URL("http://localhost/embeddable/index.html");
globalThis.window = globalThis;
globalThis.window.location = location;
globalThis.document = { location: { ancestorOrigins: undefined } };
globalThis.window.addEventListener = () => {};
globalThis.window.parent = { postMessage: () => {} };
globalThis.window.webkit = undefined;
Object.defineProperty(globalThis.window, "top", {
  value: { set location(value) { redirectedTo = String(value); }, get location() { return redirectedTo; } },
});
if (!globalThis.navigator || !globalThis.navigator.language) {
  Object.defineProperty(globalThis, "navigator", { value: { language: "en-US" }, configurable: true });
}

const { default: MyDataHelps } = await import("@careevolution/mydatahelps-js");

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function errorText(error) {
  if (error === undefined || error === null) return String(error);
  if (typeof error === "string") return error;
  return error.message || JSON.stringify(error);
}

async function runCall(call) {
  const args = (call.args || []).map((a) => (a && typeof a === "object" && !Array.isArray(a) ? { ...a } : a));
  if (call.file) {
    const bytes = Buffer.from(call.file.base64, "base64");
    args.unshift(new File([bytes], call.file.name, { type: call.file.type }));
  }
  if (call.fn === "connectExternalAccount") {
    redirectedTo = null;
    MyDataHelps.connectExternalAccount(...args).catch(() => {});
    for (let i = 0; i < 200 && redirectedTo === null; i++) await new Promise((r) => setTimeout(r, 10));
    if (redirectedTo === null) throw new Error("connectExternalAccount did not redirect");
    return { value: redirectedTo };
  }
  if (!call.paging) {
    return { value: await MyDataHelps[call.fn](...args) };
  }
  const items = [];
  let pages = 0;
  if (call.paging === "cursor") {
    const query = args[0] || {};
    for (;;) {
      const body = await MyDataHelps[call.fn](query);
      pages += 1;
      items.push(...body[call.items]);
      if (!body.nextPageID) break;
      query.pageID = body.nextPageID;
    }
  } else if (call.paging === "pageNumber") {
    // getExternalAccountProviders(search, category, pageSize, pageNumber)
    const [search, category, pageSize] = args;
    let number = call.firstPage ?? 0;
    for (;;) {
      const body = await MyDataHelps[call.fn](search, category, pageSize, number);
      pages += 1;
      const got = body[call.items];
      items.push(...got);
      if (got.length === 0 || items.length >= body[call.total]) break;
      number += 1;
    }
  }
  return { items, pages };
}

const input = await readStdin();
MyDataHelps.setParticipantAccessToken(input.token, input.baseUrl);
const results = {};
for (const call of input.calls) {
  try {
    results[call.id] = { ok: true, ...(await runCall(call)) };
  } catch (error) {
    results[call.id] = { ok: false, error: errorText(error) };
  }
}
// exit once the pipe has taken all of it (the SDK's tokenWillExpire timer would keep Node alive)
process.stdout.write(JSON.stringify({ results, requests }), () => process.exit(0));
