// Counterexample files: metadata, content-hashed names, atomic writes, the replay command.
export { metaOf, replayCommand, saveCounterexampleFile } from './file.ts';
