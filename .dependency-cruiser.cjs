// The layering (DESIGN.md, CONVENTIONS.md), checked by dependency-cruiser (npm run lint):
// apps use libs, never another app; libs never use apps; libs/contracts is the protocol with no
// Nest dependency, shared by the load generator and clients; shared code is reached through the
// @app/* path aliases of tsconfig.json, which this resolves.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order (and Nest module order) depend on who is imported first.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'An app never imports another app: move what both need into libs/.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      comment: 'libs/ is shared by the apps, so it cannot depend on one of them.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-without-nest',
      severity: 'error',
      comment: 'libs/contracts has no Nest dependency: the load generator and the web client share it.',
      from: { path: '^libs/contracts/' },
      to: { path: '(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'contracts-standalone',
      severity: 'error',
      comment: 'libs/contracts imports no other lib (they build on it, not the other way round).',
      from: { path: '^libs/contracts/' },
      to: { path: '^libs/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'client-runs-in-browsers',
      severity: 'error',
      comment: 'libs/client (the SDK) also runs in browsers: no Node built-in module in its code (its specs may use them).',
      from: { path: '^libs/client/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'client-dependencies',
      severity: 'error',
      comment: 'libs/client depends only on socket.io-client and @app/contracts (no Nest, no server libs), so a browser bundle stays small.',
      from: { path: '^libs/client/', pathNot: '\\.spec\\.ts$' },
      to: { path: '(^|/)node_modules/|^libs/', pathNot: '(^|/)node_modules/socket\\.io-client/|^libs/(client|contracts)/' },
    },
    {
      name: 'web-runs-in-browsers',
      comment: 'web/src is the page served to browsers: no Node built-in module in its code (its specs may use them).',
      severity: 'error',
      from: { path: '^web/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'web-through-the-sdk',
      severity: 'error',
      comment: 'The web client talks to chatstream only through the SDK (@app/client) and the protocol types (@app/contracts): no server lib, no other package.',
      from: { path: '^web/' },
      to: { path: '(^|/)node_modules/|^libs/|^apps/', pathNot: '^libs/(client|contracts)/' },
    },
    {
      name: 'no-tools-or-tests-to-apps',
      severity: 'error',
      comment: 'tools/ and test/ talk to the apps over the network, or use libs/; app internals can change freely.',
      from: { path: '^(tools|test)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'libs-through-aliases',
      severity: 'error',
      comment: 'Another lib is imported through its @app/* alias, never by a relative path into it.',
      from: { path: '^(apps|libs|tools|test)/([^/]+)/' },
      to: { path: '^libs/', pathNot: '^libs/$2/', dependencyTypesNot: ['aliased-tsconfig'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports and that imports nothing is dead code (or an entry point to name here).',
      from: { orphan: true, pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import nothing resolves to (a typo, a missing package, or an alias missing from tsconfig.json, which would also hide it from the rules above).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|web/dist|coverage|\\.data)/' },
    // Type-only imports count too: `import type` from @nestjs/* would still tie contracts to Nest.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
