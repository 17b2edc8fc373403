// A handler module whose top level throws something that is not an Error.
throw 'not an Error object';
