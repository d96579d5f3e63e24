// The page's own settings: where the API key and the participant tokens are sent, and which SDK runs
// next to them. A link can never change these (app.js refuses authenticator=, api=, sdk= in the address).
window.MDH_EMBEDDABLE = {
  authenticator: "http://127.0.0.1:8765/", // `mdh-notebook authenticator --port 8765` prints this URL
  // api: "https://mydatahelps.org/",      // default: the base_url the authenticator answers with
  // sdk: "./MyDataHelps.js",              // default; must be on this page's origin
  // scopes: "SurveyAnswers:read",         // default
};
