const { registerAfterRestore } = require('snapstart-hooks');

let restored = false;
registerAfterRestore(() => {
  restored = true;
});

exports.handler = async (event) => ({ module: 'commonjs', restored, event });
exports.legacy = (event, _context, callback) => callback(null, { style: 'callback', event });
exports.legacyDone = (_event, context) => {
  context.succeed({ style: 'context.succeed' });
};
