throw new Error('top-level explosion');
