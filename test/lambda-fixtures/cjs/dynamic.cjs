// Exports Node's CommonJS export detection cannot see: they exist only on the module's default export.
for (const name of ['handler']) {
  module.exports[name] = async (event) => ({ found: 'through the default export', event });
}
Object.defineProperty(module.exports, ['explo', 'ding'].join(''), {
  enumerable: true,
  get() {
    throw 'lazy export exploded';
  },
});
