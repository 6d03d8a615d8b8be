// Compiles an installed ES module to CommonJS for jest. Node (>= 20.19) loads these packages with
// require(), jest's module system cannot. `import.meta.url` has no CommonJS form, so it becomes the
// file's URL first (@platformatic/kafka uses it for createRequire), and a module-level
// `const require = createRequire(import.meta.url)` goes: CommonJS has its own `require` there.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const SELF = readFileSync(__filename);

module.exports = {
  // Cached output is keyed by this file too, so a change here compiles every module again.
  getCacheKey(source, filename) {
    return createHash('sha1').update(SELF).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    const code = source
      .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
      .replace(/\bimport\.meta\.url\b/g, 'require("node:url").pathToFileURL(__filename).href');
    const { outputText } = ts.transpileModule(code, {
      fileName: filename,
      compilerOptions: { allowJs: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    return { code: outputText };
  },
};
