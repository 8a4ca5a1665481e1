import type { GraphQLSchema } from 'graphql';

/** The first line of examples/relay/schema.graphql. */
export declare const CLIENT_SCHEMA_HEADER: string;

/** The SDL a frontend compiles against: the served subgraph schema without its federation types, fields and directives. */
export declare function printClientSchema(schema: GraphQLSchema): string;
