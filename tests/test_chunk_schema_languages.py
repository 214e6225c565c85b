"""Schema languages (Protocol Buffers, GraphQL) get symbols from the tree-sitter chunker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas
from atlas_core.testing import first_ranked, tree_sitter_chunks, write_repo
from atlas_core.types import Chunk

PROTO = """
    // Users API.
    syntax = "proto3";

    package acme.users.v1;

    import "google/protobuf/timestamp.proto";
    import public "acme/common/paging.proto";

    option go_package = "acme/users/v1;usersv1";

    // A registered user.
    message User {
      string id = 1;
      enum Status {
        STATUS_UNSPECIFIED = 0;
        ACTIVE = 1;
      }
      message Address {
        string city = 1;
      }
      Status status = 2;
      oneof contact { string phone = 3; }
      map<string, string> labels = 4;
    }

    enum Role {
      ROLE_UNSPECIFIED = 0;
    }

    service UserService {
      // Creates a user.
      rpc CreateUser(CreateUserRequest) returns (User);
      rpc WatchUsers(WatchUsersRequest) returns (stream User) {
        option (google.api.http) = { get: "/v1/users:watch" };
      }
    }
    """

GRAPHQL = '''
    """The schema root."""
    schema {
      query: Query
      mutation: Mutation
    }

    scalar DateTime

    "A user account."
    type User implements Node @key(fields: "id") {
      id: ID!
      displayName(format: String): String
    }

    interface Node { id: ID! }

    enum Role { ADMIN MEMBER }

    input CreateUserInput { name: String! }

    union SearchResult = User | Post

    directive @key(fields: String!) on OBJECT

    type Query {
      user(id: ID!): User
    }

    type Mutation {
      "Creates a user."
      createUser(input: CreateUserInput!): User
    }

    type Subscription { userCreated: User }

    extend type User { email: String }
    extend schema { subscription: Subscription }
    extend type Query { me: User }

    query GetUser($id: ID!) {
      user(id: $id) { ...UserFields }
    }

    mutation AddUser($input: CreateUserInput!) { createUser(input: $input) { id } }

    subscription OnUserCreated { userCreated { id } }

    fragment UserFields on User { id displayName }

    { anonymous }
    '''

SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "protobuf",
        "proto",
        PROTO,
        {
            ("module", "acme.users.v1"),
            ("struct", "User"),
            ("enum", "Status"),
            ("struct", "Address"),
            ("enum", "Role"),
            ("interface", "UserService"),
            ("method", "CreateUser"),
            ("method", "WatchUsers"),
        },
        ["google/protobuf/timestamp.proto", "acme/common/paging.proto"],
    ),
    (
        "graphql",
        "graphql",
        GRAPHQL,
        {
            ("schema", "schema"),
            ("type", "DateTime"),
            ("class", "User"),
            ("interface", "Node"),
            ("enum", "Role"),
            ("struct", "CreateUserInput"),
            ("type", "SearchResult"),
            ("directive", "key"),
            ("class", "Query"),
            ("method", "user"),
            ("class", "Mutation"),
            ("method", "createUser"),
            ("class", "Subscription"),
            ("method", "userCreated"),
            ("method", "me"),
            ("function", "GetUser"),
            ("function", "AddUser"),
            ("function", "OnUserCreated"),
            ("function", "UserFields"),
        },
        [],
    ),
]


def _chunks(language: str, ext: str, source: str) -> list[Chunk]:
    return tree_sitter_chunks(f"x.{ext}", source, language)


@pytest.mark.parametrize(
    ("language", "ext", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, ext: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    chunks = _chunks(language, ext, source)
    assert {(c.kind, c.name) for c in chunks if c.kind != "import"} == symbols
    assert [c.name for c in chunks if c.kind == "import"] == imports


def test_protobuf_nesting_qualifies_messages_enums_and_rpcs() -> None:
    chunks = _chunks("protobuf", "proto", PROTO)
    qualified = {c.qualified: c for c in chunks}
    assert {"User.Status", "User.Address", "UserService.CreateUser"} <= set(qualified)
    rpc = qualified["UserService.WatchUsers"]
    assert rpc.signature.startswith("rpc WatchUsers(")
    assert rpc.end - rpc.start == 2  # the rpc's option block is part of it
    assert qualified["User"].signature == "message User {"


def test_graphql_root_fields_are_methods_of_their_root_type() -> None:
    chunks = _chunks("graphql", "graphql", GRAPHQL)
    methods = {c.qualified for c in chunks if c.kind == "method"}
    # the extension's field counts too; fields of ordinary types (User.email) do not
    assert methods == {"Query.user", "Mutation.createUser", "Subscription.userCreated", "Query.me"}
    extensions = [c.name for c in chunks if c.kind == "class" and c.signature.startswith("extend")]
    assert extensions == ["User", "Query"]


def test_graphql_extensions_of_every_type_kind() -> None:
    source = """
        extend interface Node @tagged
        extend enum Role { GUEST }
        extend input CreateUserInput { age: Int }
        extend union SearchResult = Comment
        extend scalar DateTime @specifiedBy(url: "https://example.com/dt")
        extend type Mutation { deleteUser(id: ID!): ID }
        """
    found = [(c.kind, c.qualified) for c in _chunks("graphql", "graphql", source)]
    assert found == [
        ("interface", "Node"),
        ("enum", "Role"),
        ("struct", "CreateUserInput"),
        ("type", "SearchResult"),
        ("type", "DateTime"),
        ("class", "Mutation"),
        ("method", "Mutation.deleteUser"),
    ]


def test_an_rpc_is_found_by_name(tmp_path: Path, make_atlas: Callable[[Path], Atlas]) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "proto/billing/v1/billing.proto": (
                'syntax = "proto3";\npackage acme.billing.v1;\n\n'
                "service InvoiceService {\n"
                "  rpc VoidInvoice(VoidInvoiceRequest) returns (Invoice);\n"
                "  rpc ListInvoices(ListInvoicesRequest) returns (ListInvoicesResponse);\n"
                "}\n"
            ),
            "proto/users/v1/users.proto": (
                'syntax = "proto3";\npackage acme.users.v1;\n\n'
                "service UserService {\n  rpc GetUser(GetUserRequest) returns (User);\n}\n"
            ),
            "cmd/cli/main.go": (
                "package main\n\nfunc run(c billing.InvoiceServiceClient) {\n"
                "\t// void an invoice unless it is already paid\n"
                "\tif _, err := c.VoidInvoice(ctx, req); err != nil {\n"
                "\t\tlog.Fatal(err)\n\t}\n}\n"
            ),
        },
    )
    # the client's comment and call outweigh the schema's text alone: the rpc symbol decides
    task = "VoidInvoice should refuse an invoice that is already paid"
    reader, first = first_ranked(make_atlas(root), task)
    i = reader.ids["proto/billing/v1/billing.proto"]
    assert (reader.languages[i], reader.roles[i]) == ("protobuf", "impl")
    assert [c.qualified for c in reader.chunks(i)] == [
        "acme.billing.v1",
        "InvoiceService",
        "InvoiceService.VoidInvoice",
        "InvoiceService.ListInvoices",
    ]
    assert first == "proto/billing/v1/billing.proto"


def test_a_graphql_mutation_field_is_found_by_name(
    tmp_path: Path, make_atlas: Callable[[Path], Atlas]
) -> None:
    root = write_repo(
        tmp_path / "r",
        {
            "schema/users.graphql": (
                "type User { id: ID! email: String }\n\n"
                "type Mutation {\n  createUser(email: String!): User\n}\n"
            ),
            "schema/orders.gql": (
                "type Order { id: ID! }\n\ntype Mutation {\n  placeOrder(id: ID!): Order\n}\n"
            ),
            "web/src/api.ts": (
                "// sends the createUser mutation; a taken email is rejected\n"
                "export const createUserMutation =\n"
                "  'mutation { createUser(email: $email) { id } }';\n"
                "export const send = (q: string) => fetch('/graphql', { body: q });\n"
            ),
        },
    )
    # as above: without the Mutation.createUser symbol the client file ranks first
    task = "createUser must reject an email that is already taken"
    reader, first = first_ranked(make_atlas(root), task)
    i = reader.ids["schema/orders.gql"]
    assert (reader.languages[i], reader.roles[i]) == ("graphql", "impl")
    assert [c.qualified for c in reader.chunks(i)] == ["Order", "Mutation", "Mutation.placeOrder"]
    assert first == "schema/users.graphql"
