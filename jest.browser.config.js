// Browser tests: the web client (web/) in headless Chromium (Debian's, driven by playwright-core),
// against the whole native topology through Nginx :3001 (started by scripts/test.sh).
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'browser',
  roots: ['<rootDir>/test/browser'],
  testRegex: '\\.browser-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/browser/tsconfig.json' }] },
  testTimeout: 120_000,
};
