// An after-restore phase that reaches its deadline: the first hook hangs, so the second never starts.
import { snapStartBus } from 'snapstart-hooks';

console.log('deadline fixture loaded');
snapStartBus.on('afterRestore', () => new Promise((resolve) => setTimeout(resolve, 60_000)), { name: 'slowWarmup' });
snapStartBus.on('afterRestore', () => {}, { name: 'neverStarted' });

export const handler = async () => 'ok';
