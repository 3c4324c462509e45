// Verdicts of asl-validator and the AWS ASL language service on ASL files, for
// tools/compare_asl_peers.py. Reads one path a line on standard input and writes
// {path: {"asl-validator": [errors], "language-service": [errors]}} as JSON; a peer that
// throws on a file gives ["crash: ..."]. Run with NODE_PATH set to the peers' node_modules.
const fs = require('fs');
const yaml = require('yaml');
const aslValidator = require('asl-validator');
const service = require('amazon-states-language-service');
const { TextDocument } = require('vscode-languageserver-textdocument');

const validate = aslValidator.default || aslValidator;
const jsonService = service.getLanguageService({});
const yamlService = service.getYamlLanguageService({});

async function languageService(path, text, isYaml) {
  const ls = isYaml ? yamlService : jsonService;
  const doc = TextDocument.create('file://' + path, isYaml ? 'asl-yaml' : 'asl', 0, text);
  const diagnostics = await ls.doValidation(doc, ls.parseJSONDocument(doc));
  return diagnostics.filter(d => d.severity === 1)
    .map(d => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
}

function validator(text, isYaml) {
  const result = validate(isYaml ? yaml.parse(text) : JSON.parse(text));
  return result.isValid ? [] : result.errors.map(e => `${e['Error code']}: ${e.Message}`);
}

async function guarded(run) {
  try { return await run(); } catch (e) { return [`crash: ${String(e).slice(0, 200)}`]; }
}

(async () => {
  const verdicts = {};
  for (const path of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
    const text = fs.readFileSync(path, 'utf8');  // an unreadable file stops the run: a usage error
    const isYaml = /\.ya?ml$/.test(path);
    verdicts[path] = {
      'asl-validator': await guarded(() => validator(text, isYaml)),
      'language-service': await guarded(() => languageService(path, text, isYaml)),
    };
  }
  process.stdout.write(JSON.stringify(verdicts));
})();
