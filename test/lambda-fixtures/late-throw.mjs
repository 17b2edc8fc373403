// Init succeeds, but a timer the module started throws a little later, while no invocation is in flight.
setTimeout(() => {
  throw new Error('late failure of a module timer');
}, 300);

export const handler = async () => 'ok';
