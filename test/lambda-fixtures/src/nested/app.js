export async function handler() {
  return { module: 'src/nested/app.js' };
}
