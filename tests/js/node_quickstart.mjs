// The calls of CareEvolution's official Node quickstart (mydatahelps-rest-api-node-quickstart,
// quickstart.js on main), written again here with the same libraries (jsonwebtoken, axios,
// querystring) and the same URL building, pointed at a base URL given in the environment:
// MDH_BASE_URL (no trailing slash, as the quickstart's constant), RKS_SERVICE_ACCOUNT,
// RKS_PROJECT_ID, RKS_PRIVATE_KEY, PARTICIPANT_IDENTIFIER.
// Prints one JSON line: what it got (never a token).
import { randomUUID } from "node:crypto";
import querystring from "node:querystring";
import axios from "axios";
import jwt from "jsonwebtoken";

const baseUrl = process.env.MDH_BASE_URL;
const tokenUrl = `${baseUrl}/identityserver/connect/token`;
const projectId = process.env.RKS_PROJECT_ID;
const account = process.env.RKS_SERVICE_ACCOUNT;

async function serviceToken() {
  const assertion = { iss: account, sub: account, aud: tokenUrl,
    exp: Math.floor(new Date().getTime() / 1000) + 200, jti: randomUUID() };
  const signed = jwt.sign(assertion, process.env.RKS_PRIVATE_KEY, { algorithm: "RS256" });
  const response = await axios.post(tokenUrl, querystring.stringify({
    scope: "api", grant_type: "client_credentials",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: signed }));
  return response.data.access_token;
}

async function getFromApi(token, resourceUrl, raiseError = true) {
  const api = axios.create({ baseURL: baseUrl, headers: { Authorization: `Bearer ${token}`,
    Accept: "application/json", "Content-Type": "application/json; charset=utf-8" },
    validateStatus: (status) => (raiseError ? status === 200 : true) });
  return api.get(`${baseUrl}/${resourceUrl}`);  // resourceUrl starts with "/": the quickstart sends "//api/..."
}

async function participantToken(token, participantId, scopes) {
  const response = await axios.post(tokenUrl, querystring.stringify({ scope: scopes,
    grant_type: "delegated_participant", participant_id: participantId,
    client_id: "MyDataHelps.DelegatedParticipant", client_secret: "secret", token }));
  return response.data;
}

async function main() {
const service = await serviceToken();
const all = await getFromApi(service, `/api/v1/administration/projects/${projectId}/participants`);
const one = await getFromApi(service,
  `/api/v1/administration/projects/${projectId}/participants/${process.env.PARTICIPANT_IDENTIFIER}`, false);
const missing = await getFromApi(service, `/api/v1/administration/projects/${projectId}/participants/NO-SUCH-ONE`, false);
const delegated = await participantToken(service, one.data.id, "api user/*.read");
process.stdout.write(JSON.stringify({
  totalParticipants: all.data.totalParticipants, participantStatus: one.status, participantId: one.data.id,
  missingStatus: missing.status, tokenType: delegated.token_type, expiresIn: delegated.expires_in,
  gotToken: typeof delegated.access_token === "string" && delegated.access_token.length > 20,
}) + "\n");
}

try {
  await main();
} catch (error) {
  // an axios error carries the request headers (the bearer token): report status and path only
  const status = error && error.response ? error.response.status : "no response";
  const url = error && error.config && error.config.url ? new URL(error.config.url).pathname : "";
  process.stderr.write(`quickstart call failed: ${status} ${url} ${error && error.code ? error.code : ""}\n`);
  process.exit(1);
}
