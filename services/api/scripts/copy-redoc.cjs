// Copies Redoc's standalone bundle and its licence notices beside the compiled docs page
// (dist/http/redoc/), so the api serves /docs from its own build output and the redoc
// package, with React and the rest of its dependency tree, is needed at build time only.
const { copyFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const bundles = path.dirname(require.resolve('redoc/bundles/redoc.standalone.js'));
const target = path.join(__dirname, '..', 'dist', 'http', 'redoc');
mkdirSync(target, { recursive: true });
copyFileSync(path.join(bundles, 'redoc.standalone.js'), path.join(target, 'redoc.standalone.js'));
copyFileSync(path.join(bundles, 'redoc.standalone.js.LICENSE.txt'), path.join(target, 'redoc.standalone.js.LICENSE.txt'));
copyFileSync(path.join(bundles, '..', 'LICENSE'), path.join(target, 'LICENSE'));
