/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query RepositoriesDashboard($refs: [RepositoryRef!]!, $latest: Int = 3) {\n  repositories(refs: $refs) {\n    namespace\n    name\n    syncJobs(first: $latest) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": typeof types.RepositoriesDashboardDocument,
    "subscription SyncJobChanges($namespace: String!, $name: String!) {\n  syncJobChanged(namespace: $namespace, name: $name) {\n    kind\n    job {\n      id\n      status\n      tag\n      remoteRegionId\n      remoteNamespace\n      createdAt\n      updatedAt\n    }\n  }\n}": typeof types.SyncJobChangesDocument,
    "query SyncJobsPage($namespace: String!, $name: String!, $first: Int, $after: String, $last: Int, $before: String, $order: SortOrder = DESC) {\n  repository(namespace: $namespace, name: $name) {\n    namespace\n    name\n    syncJobs(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      order: $order\n    ) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          remoteRegionId\n          remoteNamespace\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": typeof types.SyncJobsPageDocument,
};
const documents: Documents = {
    "query RepositoriesDashboard($refs: [RepositoryRef!]!, $latest: Int = 3) {\n  repositories(refs: $refs) {\n    namespace\n    name\n    syncJobs(first: $latest) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": types.RepositoriesDashboardDocument,
    "subscription SyncJobChanges($namespace: String!, $name: String!) {\n  syncJobChanged(namespace: $namespace, name: $name) {\n    kind\n    job {\n      id\n      status\n      tag\n      remoteRegionId\n      remoteNamespace\n      createdAt\n      updatedAt\n    }\n  }\n}": types.SyncJobChangesDocument,
    "query SyncJobsPage($namespace: String!, $name: String!, $first: Int, $after: String, $last: Int, $before: String, $order: SortOrder = DESC) {\n  repository(namespace: $namespace, name: $name) {\n    namespace\n    name\n    syncJobs(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      order: $order\n    ) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          remoteRegionId\n          remoteNamespace\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}": types.SyncJobsPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RepositoriesDashboard($refs: [RepositoryRef!]!, $latest: Int = 3) {\n  repositories(refs: $refs) {\n    namespace\n    name\n    syncJobs(first: $latest) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query RepositoriesDashboard($refs: [RepositoryRef!]!, $latest: Int = 3) {\n  repositories(refs: $refs) {\n    namespace\n    name\n    syncJobs(first: $latest) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription SyncJobChanges($namespace: String!, $name: String!) {\n  syncJobChanged(namespace: $namespace, name: $name) {\n    kind\n    job {\n      id\n      status\n      tag\n      remoteRegionId\n      remoteNamespace\n      createdAt\n      updatedAt\n    }\n  }\n}"): (typeof documents)["subscription SyncJobChanges($namespace: String!, $name: String!) {\n  syncJobChanged(namespace: $namespace, name: $name) {\n    kind\n    job {\n      id\n      status\n      tag\n      remoteRegionId\n      remoteNamespace\n      createdAt\n      updatedAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SyncJobsPage($namespace: String!, $name: String!, $first: Int, $after: String, $last: Int, $before: String, $order: SortOrder = DESC) {\n  repository(namespace: $namespace, name: $name) {\n    namespace\n    name\n    syncJobs(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      order: $order\n    ) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          remoteRegionId\n          remoteNamespace\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query SyncJobsPage($namespace: String!, $name: String!, $first: Int, $after: String, $last: Int, $before: String, $order: SortOrder = DESC) {\n  repository(namespace: $namespace, name: $name) {\n    namespace\n    name\n    syncJobs(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      order: $order\n    ) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          status\n          tag\n          remoteRegionId\n          remoteNamespace\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;