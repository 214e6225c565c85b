"""JavaScript/TypeScript: relative paths, extensions, index files, tsconfig paths, workspaces."""

from __future__ import annotations

from collections.abc import Callable

Build = Callable[..., set[tuple[str, str]]]


def test_relative_paths_extensions_and_index_files(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "package.json": '{"name": "shop", "main": "lib/app.js"}\n',
            "lib/app.js": "const router = require('./router')\nconst util = require('util')\n"
            "import { cart } from './cart'\n",
            "lib/router/index.js": "module.exports = require('../middleware/auth.mjs')\n",
            "lib/middleware/auth.mjs": "export function auth() {}\n",
            "lib/cart.jsx": "export const cart = 1\n",
            "test/app.test.js": "const app = require('..')\n"
            "const again = require('../lib/app.js')\n",
        }
    )
    assert edges == {
        ("lib/app.js", "lib/router/index.js"),  # a directory's index file
        ("lib/app.js", "lib/cart.jsx"),  # an extension added
        ("lib/router/index.js", "lib/middleware/auth.mjs"),
        ("test/app.test.js", "lib/app.js"),  # '..' is the package: its "main"
    }


def test_typescript_paths_baseurl_and_esm_extensions(graph_edges: Build) -> None:
    tsconfig = """{
      // comments and trailing commas are allowed in tsconfig.json
      "extends": "./tsconfig.base.json",
      "compilerOptions": {
        "paths": {"@/*": ["src/*"], "@config": ["config/index.ts"],},
      },
    }
    """
    edges = graph_edges(
        {
            "tsconfig.base.json": '{"compilerOptions": {"baseUrl": "."}}\n',
            "tsconfig.json": tsconfig,
            "src/server.ts": "import { db } from '@/db/client'\nimport cfg from '@config'\n"
            "import { log } from './log.js'\nimport express from 'express'\n",
            "src/db/client.ts": "import { Pool } from 'src/db/pool'\nexport const db = 1\n",
            "src/db/pool.ts": "export class Pool {}\n",
            "src/log.ts": "export const log = console.log\n",
            "config/index.ts": "export default {}\n",
        }
    )
    assert edges == {
        ("src/server.ts", "src/db/client.ts"),  # paths: "@/*"
        ("src/server.ts", "config/index.ts"),  # paths: an exact alias
        ("src/server.ts", "src/log.ts"),  # ESM: './log.js' is log.ts before compiling
        ("src/db/client.ts", "src/db/pool.ts"),  # baseUrl inherited through "extends"
    }


def test_packages_of_the_same_workspace(graph_edges: Build) -> None:
    edges = graph_edges(
        {
            "packages/core/package.json": '{"name": "@acme/core", "main": "dist/index.js",'
            ' "source": "src/index.ts"}\n',
            "packages/core/src/index.ts": "import { q } from './query'\nexport { q }\n",
            "packages/core/src/query.ts": "export const q = 1\n",
            "packages/web/src/page.tsx": "import { q } from '@acme/core'\n"
            "import { query } from '@acme/core/src/query'\nimport React from 'react'\n",
        }
    )
    assert edges == {
        ("packages/core/src/index.ts", "packages/core/src/query.ts"),
        ("packages/web/src/page.tsx", "packages/core/src/index.ts"),
        ("packages/web/src/page.tsx", "packages/core/src/query.ts"),
    }
