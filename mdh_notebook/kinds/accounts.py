"""External accounts family: the participant's accounts, the provider directory, featured providers;
connecting, refreshing and deleting an account. Also the participant's update of their own record
(``update_participant``): kept here so that the project family module stays read-only.

The provider directory pages by page number from 0 (iOS's first page, and what the official UI
sends; the documentation's "defaults to page 1" is read as "the first page") up to the total.
Its scope is ``ExternalAccounts:connect`` (the directory is for choosing a provider to connect),
the accounts need ``ExternalAccounts:read``, refresh and delete ``ExternalAccounts:write``.
``update_participant`` needs ``api``: the seed's scope list has no participant write scope, and
the read scope should not grant a write.
"""

from __future__ import annotations

from .model import SINGLE, Column, Kind, Operation, Paging, Param

#: how this family is named to a reader (the scope picker's group)
LABEL = "Account (external accounts)"

__all__ = [
    "CONNECT_EXTERNAL_ACCOUNT",
    "EXTERNAL_ACCOUNTS",
    "EXTERNAL_ACCOUNT_PROVIDERS",
    "FEATURED_EXTERNAL_ACCOUNT_PROVIDERS",
    "KINDS",
    "LABEL",
    "OPERATIONS",
    "PROVIDER_COLUMNS",
    "UPDATE_PARTICIPANT",
]

PROVIDER_CATEGORIES = ("Provider", "Health Plan", "Device Manufacturer")

PROVIDER_COLUMNS: tuple[Column, ...] = (
    Column("id", "Int64"),
    Column("name", "string"),
    Column("category", "category"),
    Column("logoUrl", "string"),
    Column("enabled", "boolean"),
    Column("message", "string"),
    Column("relatedProvider", "string"),
    Column("managingOrganization", "string"),
    Column("successorID", "Int64"),
)
"""A provider's fields (reference §3.2 ExternalAccount.provider; JS ExternalAccountProvider)."""

EXTERNAL_ACCOUNTS = Kind(
    name="external_accounts",
    path="api/v1/delegated/externalaccounts",
    token="participant",
    scope="ExternalAccounts:read",
    shape="array",
    paging=SINGLE,
    columns=(
        Column("id", "Int64"),
        Column("status", "category"),
        *(Column(f"provider.{c.wire}", c.dtype) for c in PROVIDER_COLUMNS),
        Column("lastRefreshDate", "datetime"),
        Column("providerUserID", "string"),
        Column("connectionDate", "datetime"),
        Column("dataScopes", "string"),
    ),
    count_by="status",
    doc=("The participant's connected external accounts (health plans, providers, devices), one row each, "
         "the provider flattened; status is unauthorized, fetchingData, error or fetchComplete "
         "(GET externalaccounts, a bare array)."),
)

EXTERNAL_ACCOUNT_PROVIDERS = Kind(
    name="external_account_providers",
    path="api/v1/delegated/externalaccountproviders",
    token="participant",
    scope="ExternalAccounts:connect",
    shape="keyed",
    items_key="externalAccountProviders",
    paging=Paging(style="page_number", size_param="pageSize", max_size=100, number_param="pageNumber",
                  first_page=0, total_key="totalExternalAccountProviders"),
    columns=PROVIDER_COLUMNS,
    params=(
        Param("search", "search", "str", "providers whose name contains this text (any case)"),
        Param("category", "category", "str", "one category of provider", choices=PROVIDER_CATEGORIES),
    ),
    positional=("search",),
    count_by="category",
    doc="The directory of providers a participant can connect to, one row each (GET externalaccountproviders).",
)

FEATURED_EXTERNAL_ACCOUNT_PROVIDERS = Kind(
    name="featured_external_account_providers",
    path="api/v1/delegated/featuredexternalaccountproviders",
    token="participant",
    scope="ExternalAccounts:connect",
    shape="array",
    paging=SINGLE,
    columns=PROVIDER_COLUMNS,
    params=(Param("context", "featuredProvidersContext", "str",
                  "the featured-providers context the project defines (none: the default list)"),),
    positional=("context",),
    count_by="category",
    doc="The providers the project features, in its order (GET featuredexternalaccountproviders).",
)

CONNECT_EXTERNAL_ACCOUNT = Operation(
    name="connect_external_account",
    method="POST",
    path="api/v1/delegated/externalaccountproviders/{provider_id}/connect",
    token="participant",
    scope="ExternalAccounts:connect",
    params=(
        Param("final_redirect", "finalRedirectPath", "str", "where the browser returns once the provider answered",
              required=True),
        Param("verifier_hash", "verifierHash", "str", "base64url SHA-256 of a random verifier (PKCE-style)"),
    ),
    doc="Start connecting a provider: its authorization URL, to open in a browser.",
    expose=False,
)

UPDATE_PARTICIPANT = Operation(
    name="update_participant",
    method="PUT",
    path="api/v1/delegated/participant",
    token="participant",
    scope="api",
    body="json",
    doc="Update the participant's own demographics and custom fields; answers the updated record.",
    expose=False,
)

KINDS: tuple[Kind, ...] = (EXTERNAL_ACCOUNTS, EXTERNAL_ACCOUNT_PROVIDERS, FEATURED_EXTERNAL_ACCOUNT_PROVIDERS)
OPERATIONS: tuple[Operation, ...] = (
    CONNECT_EXTERNAL_ACCOUNT,
    Operation(
        name="refresh_external_account",
        method="POST",
        path="api/v1/delegated/externalaccounts/refresh/{account_id}",
        token="participant",
        scope="ExternalAccounts:write",
        doc="Ask for a new fetch of one external account's data (its status becomes fetchingData).",
    ),
    Operation(
        name="delete_external_account",
        method="DELETE",
        path="api/v1/delegated/externalaccounts/delete/{account_id}",
        token="participant",
        scope="ExternalAccounts:write",
        doc="Disconnect and delete one external account (a 404 when there is none with that id).",
    ),
    UPDATE_PARTICIPANT,
)
