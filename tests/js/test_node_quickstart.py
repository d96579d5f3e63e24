"""The official Node quickstart's calls (its libraries, its URL building: ``//api/...``) against
the sandbox: a service token, the participant list, one participant, a 404, a participant token."""

from __future__ import annotations

from js_clients import Node

from mdh_notebook.emulator import SandboxServer


def test_the_official_node_quickstart_gets_a_participant_token(sandbox: SandboxServer, node: Node) -> None:
    creds = sandbox.credentials
    out = node.run("node_quickstart.mjs", env={
        "MDH_BASE_URL": creds.base_url.rstrip("/"), "RKS_SERVICE_ACCOUNT": creds.service_account,
        "RKS_PROJECT_ID": creds.project_id, "RKS_PRIVATE_KEY": creds.private_key_pem,
        "PARTICIPANT_IDENTIFIER": "PT-0002"})
    assert out["totalParticipants"] == 12
    assert out["participantStatus"] == 200 and len(out["participantId"]) == 36
    assert out["missingStatus"] == 404
    assert out["tokenType"] == "Bearer" and out["gotToken"] and out["expiresIn"] > 0
