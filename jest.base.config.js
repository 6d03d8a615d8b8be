// Shared by the unit, integration and end-to-end configurations.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // @fastify/static (the api's Swagger UI files) requires content-disposition 3, an ES module:
    // Node (>= 20.19) loads it with require(), jest's module system cannot, so jest compiles it.
    '^.+/content-disposition/dist/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' } }],
    // The same for @platformatic/kafka (the live stream's LogReader) and its ES-module dependencies.
    '^.+/node_modules/@platformatic/(kafka|dynamic-buffer|wasm-utils)/.+\\.js$': '<rootDir>/jest.esm-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(.*content-disposition/dist/|@platformatic/(kafka|dynamic-buffer|wasm-utils)/))'],
  testEnvironment: 'node',
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
};
