const { registerAfterRestore } = require('snapstart-hooks');

let restored = false;
registerAfterRestore(() => {
  restored = true;
});

exports.handler = async (event) => ({ module: 'commonjs', restored, event });
exports.legacy = (event, context, callback) => callback(null, { style: 'callback', event });
exports.legacyDone = (event, context) => {
  context.succeed({ style: 'context.succeed' });
};
