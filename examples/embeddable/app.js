// A MyDataHelps embeddable outside MyDataHelps: the official JS SDK in a plain web page, with its
// participant token from the authenticator (`mdh-notebook authenticator`), never from a service key.
//
// Settings, later ones winning: window.MDH_EMBEDDABLE = {...} (set by a script before this one), the
// query string, the #fragment (never sent to the web server: the place for api_key):
//   authenticator  the authenticator's URL, e.g. http://127.0.0.1:8765/            (required)
//   api_key        your key for it (a grant in its --config file)                  (required)
//   participant    the participantIdentifier, e.g. PT-0001                         (required)
//   scopes         space- or comma-separated, default SurveyAnswers:read
//   api            the MyDataHelps base URL; default: the base_url the authenticator answers with
//   sdk            where MyDataHelps.js is; default ./MyDataHelps.js (next to this page)
//   survey         only this survey's answers (surveyName), e.g. PHQ-9
//
// Flow: POST {authenticator}/token → MyDataHelps.setParticipantAccessToken(token, baseUrl) →
// querySurveyAnswers, every page → the table. On the SDK's tokenWillExpire event (expires_in − 120 s)
// it asks the authenticator again, sets the new token and queries again with it. A query refused
// with 401 asks once for a replacement (rejected_token) and retries.
// The status line (#status: data-state, data-rows, data-renewals, data-queries, data-failed) is what
// a test reads. The token and the key are never shown or logged.

const settings = readSettings();
const status = { state: "starting", rows: 0, renewals: 0, queries: 0, failed: 0 };
let MyDataHelps = null;
let current = null; // the token response in use
let queue = Promise.resolve(); // queries run one after another

function readSettings() {
  const given = { scopes: "SurveyAnswers:read", sdk: "./MyDataHelps.js", ...(window.MDH_EMBEDDABLE || {}) };
  for (const source of [window.location.search, window.location.hash]) {
    for (const [key, value] of new URLSearchParams(source.slice(1))) given[key] = value;
  }
  // the key leaves the address bar and the history at once
  const search = new URLSearchParams(window.location.search.slice(1));
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (search.has("api_key") || hash.has("api_key")) {
    search.delete("api_key");
    hash.delete("api_key");
    const rest = (search.toString() ? "?" + search : "") + (hash.toString() ? "#" + hash : "");
    window.history.replaceState(null, "", window.location.pathname + rest);
  }
  return given;
}

function withSlash(url) {
  return url.endsWith("/") ? url : url + "/";
}

function show() {
  const line = document.getElementById("status");
  line.dataset.state = status.state;
  for (const name of ["rows", "renewals", "queries", "failed"]) {
    line.dataset[name] = String(status[name]);
    document.getElementById(name).textContent = String(status[name]);
  }
  document.getElementById("state").textContent = status.state;
}

function fail(what, error) {
  status.failed += 1;
  status.state = "error";
  const item = document.createElement("li");
  item.className = "error";
  item.textContent = `${what}: ${error && error.message ? error.message : String(error)}`;
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
    throw new Error(`the authenticator answered ${response.status} ${data.error || ""}: ${data.message || ""}`);
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
  } catch (error) {
    if (error !== "Unauthorized") throw error; // the SDK throws the status text
    useToken(await requestToken(current)); // revoked or expired early: ask for a replacement, once
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
  const missing = ["authenticator", "api_key", "participant"].filter((name) => !settings[name]);
  if (missing.length) {
    fail("settings", new Error(`missing ${missing.join(", ")}: pass them in the query string or the #fragment`));
    return;
  }
  try {
    MyDataHelps = (await import(new URL(settings.sdk, window.location.href).href)).default;
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
  await reload();
}

window.addEventListener("unhandledrejection", (event) => fail("unhandled", event.reason));
show();
start();
