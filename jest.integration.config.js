// Integration tests: one lib or app against the real Kafka, MongoDB-protocol store and Redis.
module.exports = {
  ...require('./jest.base.config'),
  displayName: 'integration',
  roots: ['<rootDir>/test/integration'],
  testRegex: '\\.int-spec\\.ts$',
  testTimeout: 60_000,
};
