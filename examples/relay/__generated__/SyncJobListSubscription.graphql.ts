/**
 * @generated SignedSource<<cbeb14540cd701934098930849c7a254>>
 * @relayHash 2f24912f83233629838366f2c22a0ed6
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

// @relayRequestID c0314a92f5b81de1520260d63d64d1e10d61ec97c61e68e5f1b99f138ae08fe6

import { ConcreteRequest } from 'relay-runtime';
export type SyncJobChangeKind = "CREATED" | "UPDATED" | "%future added value";
export type SyncJobStatus = "CANCEL" | "EXISTED" | "FAILED" | "RUNNING" | "SUCCESS" | "TIMEOUT" | "UNKNOWN" | "WAITING" | "%future added value";
export type SyncJobListSubscription$variables = {
  connections: ReadonlyArray<string>;
  name: string;
  namespace: string;
};
export type SyncJobListSubscription$data = {
  readonly syncJobChanged: {
    readonly job: {
      readonly createdAt: string;
      readonly id: string;
      readonly remoteNamespace: string;
      readonly remoteRegionId: string;
      readonly status: SyncJobStatus;
      readonly tag: string;
      readonly updatedAt: string;
    };
    readonly kind: SyncJobChangeKind;
  };
};
export type SyncJobListSubscription = {
  response: SyncJobListSubscription$data;
  variables: SyncJobListSubscription$variables;
};

const node: ConcreteRequest = (function(){
var v0 = {
  "defaultValue": null,
  "kind": "LocalArgument",
  "name": "connections"
},
v1 = {
  "defaultValue": null,
  "kind": "LocalArgument",
  "name": "name"
},
v2 = {
  "defaultValue": null,
  "kind": "LocalArgument",
  "name": "namespace"
},
v3 = [
  {
    "kind": "Variable",
    "name": "name",
    "variableName": "name"
  },
  {
    "kind": "Variable",
    "name": "namespace",
    "variableName": "namespace"
  }
],
v4 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "kind",
  "storageKey": null
},
v5 = {
  "alias": null,
  "args": null,
  "concreteType": "SyncJob",
  "kind": "LinkedField",
  "name": "job",
  "plural": false,
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "id",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "status",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "tag",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "remoteRegionId",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "remoteNamespace",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "createdAt",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "updatedAt",
      "storageKey": null
    }
  ],
  "storageKey": null
};
return {
  "fragment": {
    "argumentDefinitions": [
      (v0/*:: as any*/),
      (v1/*:: as any*/),
      (v2/*:: as any*/)
    ],
    "kind": "Fragment",
    "metadata": null,
    "name": "SyncJobListSubscription",
    "selections": [
      {
        "alias": null,
        "args": (v3/*:: as any*/),
        "concreteType": "SyncJobChange",
        "kind": "LinkedField",
        "name": "syncJobChanged",
        "plural": false,
        "selections": [
          (v4/*:: as any*/),
          (v5/*:: as any*/)
        ],
        "storageKey": null
      }
    ],
    "type": "Subscription",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": [
      (v2/*:: as any*/),
      (v1/*:: as any*/),
      (v0/*:: as any*/)
    ],
    "kind": "Operation",
    "name": "SyncJobListSubscription",
    "selections": [
      {
        "alias": null,
        "args": (v3/*:: as any*/),
        "concreteType": "SyncJobChange",
        "kind": "LinkedField",
        "name": "syncJobChanged",
        "plural": false,
        "selections": [
          (v4/*:: as any*/),
          (v5/*:: as any*/),
          {
            "alias": null,
            "args": null,
            "filters": null,
            "handle": "prependNode",
            "key": "",
            "kind": "LinkedHandle",
            "name": "job",
            "handleArgs": [
              {
                "kind": "Variable",
                "name": "connections",
                "variableName": "connections"
              },
              {
                "kind": "Literal",
                "name": "edgeTypeName",
                "value": "SyncJobEdge"
              }
            ]
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "id": "c0314a92f5b81de1520260d63d64d1e10d61ec97c61e68e5f1b99f138ae08fe6",
    "metadata": {},
    "name": "SyncJobListSubscription",
    "operationKind": "subscription",
    "text": null
  }
};
})();

(node as any).hash = "37054a30cb5d336351831c336631dfa4";

export default node;
