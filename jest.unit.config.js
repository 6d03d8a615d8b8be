// Unit tests: pure logic beside the code (*.spec.ts), no services.
module.exports = { ...require('./jest.base.config'), displayName: 'unit', roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/web'], testRegex: '\\.spec\\.ts$' };
