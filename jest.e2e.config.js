// End-to-end tests: the whole native topology through Nginx :3001 (started by scripts/test.sh).
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'e2e',
  roots: ['<rootDir>/test/e2e'],
  testRegex: '\\.e2e-spec\\.ts$',
  testTimeout: 90_000,
};
