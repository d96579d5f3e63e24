// A MyDataHelps embeddable outside MyDataHelps: the official JS SDK in a plain web page, with its
// participant token from the authenticator (`mdh-notebook authenticator`), never from a service key.
//
// Settings. Where the key and the tokens go is the page's own: window.MDH_EMBEDDABLE, set by
// config.js (loaded before this file; edit it for your deployment):
//   authenticator  the authenticator's URL, e.g. http://127.0.0.1:8765/            (required)
//   api            the MyDataHelps base URL; default: the base_url the authenticator answers with
//   sdk            MyDataHelps.js, on this page's own origin; default ./MyDataHelps.js
//   scopes         space- or comma-separated, default SurveyAnswers:read
//   participant, survey   defaults for the address's
// The address may set only who and what is shown — never where the key or a token is sent, nor
// which script runs next to them (a crafted link could otherwise send both to another host):
//   ?participant=PT-0001&survey=PHQ-9   (query string or #fragment)
//   #api_key=...        the key, in the fragment only (never sent to the web server); the page
//                       removes it from the address bar and the history at once
//
// Flow: POST {authenticator}/token → MyDataHelps.setParticipantAccessToken(token, baseUrl) →
// querySurveyAnswers, every page → the table. On the SDK's tokenWillExpire event (expires_in − 120 s)
// it asks the authenticator again, sets the new token and queries again with it. A query that fails
// is taken for a refused token (the SDK throws only the status text, which is "" over HTTP/2, so a
// 401 cannot be told apart): the page asks once for a replacement (rejected_token: the authenticator
// renews it if it is still the one it hands out) and queries once more; only a second failure counts.
// The status line (#status: data-state, data-rows, data-renewals, data-replacements, data-queries,
// data-failed) is what a test reads. The token and the key are never shown or logged.

const FROM_ADDRESS = ["participant", "survey"];
const FROM_CONFIG_ONLY = ["authenticator", "api", "sdk", "scopes"];
const status = { state: "starting", rows: 0, renewals: 0, replacements: 0, queries: 0, failed: 0 };
let settings = null;
let MyDataHelps = null;
let current = null; // the token response in use
let queue = Promise.resolve(); // queries run one after another

function readSettings() {
  const given = { scopes: "SurveyAnswers:read", sdk: "./MyDataHelps.js", ...(window.MDH_EMBEDDABLE || {}) };
  const search = new URLSearchParams(window.location.search.slice(1));
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const keyInQuery = search.has("api_key");
  const apiKey = hash.get("api_key");
  if (keyInQuery || hash.has("api_key")) { // the key leaves the address bar and the history at once
    search.delete("api_key");
    hash.delete("api_key");
    const rest = (search.toString() ? "?" + search : "") + (hash.toString() ? "#" + hash : "");
    window.history.replaceState(null, "", window.location.pathname + rest);
  }
  if (keyInQuery) {
    throw new Error("api_key was in the query string, which the web server sees: put it after the #, " +
      "as #api_key=…");
  }
  const refused = FROM_CONFIG_ONLY.filter((name) => search.has(name) || hash.has(name));
  if (refused.length) {
    throw new Error(`${refused.join(", ")} cannot be set from the address (a link must not choose where ` +
      "the key and the tokens go, or which script runs): set them in config.js");
  }
  for (const source of [search, hash]) {
    for (const name of FROM_ADDRESS) if (source.has(name)) given[name] = source.get(name);
  }
  if (apiKey) given.api_key = apiKey;
  const sdk = new URL(given.sdk, window.location.href);
  if (sdk.origin !== window.location.origin) {
    throw new Error(`sdk must be on this page's origin (${window.location.origin}), not ${sdk.origin}: ` +
      "copy MyDataHelps.js next to the page (a script from elsewhere would run next to the key)");
  }
  given.sdk = sdk.href;
  const missing = [];
  if (!given.authenticator) missing.push("authenticator (in config.js)");
  if (!given.participant) missing.push("participant (?participant=PT-0001)");
  if (!given.api_key) missing.push("api_key (#api_key=…)");
  if (missing.length) throw new Error(`missing ${missing.join(", ")}`);
  return given;
}

function withSlash(url) {
  return url.endsWith("/") ? url : url + "/";
}

function show() {
  const line = document.getElementById("status");
  line.dataset.state = status.state;
  for (const name of ["rows", "renewals", "replacements", "queries", "failed"]) {
    line.dataset[name] = String(status[name]);
    document.getElementById(name).textContent = String(status[name]);
  }
  document.getElementById("state").textContent = status.state;
}

function describe(error) {
  if (error && error.message) return error.message;
  const text = String(error === undefined || error === null ? "" : error);
  return text || "the MyDataHelps API refused the request (the SDK gives no status text over HTTP/2)";
}

function fail(what, error) {
  status.failed += 1;
  status.state = "error";
  const item = document.createElement("li");
  item.className = "error";
  item.textContent = `${what}: ${describe(error)}`;
  document.getElementById("errors").append(item);
  show();
}

async function requestToken(rejected) {
  const body = { participant: settings.participant, scopes: settings.scopes.split(/[\s,]+/).filter(Boolean) };
  if (rejected) body.rejected_token = rejected.access_token;
  const response = await fetch(new URL("token", withSlash(settings.authenticator)), {
    method: "POST",
    headers: { "Authorization": `Bearer ${settings.api_key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const wait = response.headers.get("Retry-After");
    throw new Error(`the authenticator answered ${response.status} ${data.error || ""}: ${data.message || ""}` +
      (wait ? ` (retry after ${wait} s)` : ""));
  }
  return data;
}

function useToken(token) {
  current = token;
  const baseUrl = withSlash(settings.api || token.base_url);
  MyDataHelps.setParticipantAccessToken(
    { access_token: token.access_token, expires_in: token.expires_in, token_type: token.token_type }, baseUrl);
  const until = new Date(Date.now() + token.expires_in * 1000).toLocaleTimeString();
  document.getElementById("token-info").textContent =
    `token for ${token.participant_identifier} (${token.scope}) until ${until}, from ${baseUrl}`;
}

async function allAnswers() {
  const query = settings.survey ? { surveyName: settings.survey } : {};
  const rows = [];
  for (;;) {
    const page = await MyDataHelps.querySurveyAnswers(query);
    rows.push(...page.surveyAnswers);
    if (!page.nextPageID) return rows;
    query.pageID = page.nextPageID;
  }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  return td;
}

function render(rows) {
  const body = document.querySelector("#answers tbody");
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.className = "answer";
    tr.dataset.id = row.id;
    tr.dataset.participant = row.participantIdentifier;
    tr.append(cell(row.date), cell(row.participantIdentifier), cell(row.surveyName), cell(row.stepIdentifier),
      cell(row.resultIdentifier), cell((row.answers || []).join(", ")));
    return tr;
  }));
  status.rows = rows.length;
}

async function load() {
  status.state = "loading";
  show();
  let rows;
  try {
    rows = await allAnswers();
  } catch (refused) {
    // revoked or expired early (or another failure: the SDK does not say which): one replacement, once
    useToken(await requestToken(current));
    status.replacements += 1;
    rows = await allAnswers();
  }
  status.queries += 1;
  render(rows);
  status.state = "ready";
  show();
}

function reload() {
  queue = queue.then(load).catch((error) => fail("query", error));
  return queue;
}

async function renew() {
  try {
    useToken(await requestToken());
  } catch (error) {
    fail("token renewal", error);
    return;
  }
  status.renewals += 1;
  show();
  await reload();
}

async function start() {
  try {
    settings = readSettings();
  } catch (error) {
    fail("settings", error);
    return;
  }
  try {
    MyDataHelps = (await import(settings.sdk)).default;
  } catch (error) {
    fail("loading the MyDataHelps SDK from " + settings.sdk, error);
    return;
  }
  MyDataHelps.on("tokenWillExpire", renew);
  try {
    useToken(await requestToken());
  } catch (error) {
    fail("token", error);
    return;
  }
  document.getElementById("reload").disabled = false;
  await reload();
}

window.addEventListener("unhandledrejection", (event) => fail("unhandled", event.reason));
document.getElementById("reload").addEventListener("click", () => reload());
show();
start();
