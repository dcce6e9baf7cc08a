/**
 * Property tests run fewer cases per mutant: each of the thousands of mutants reruns them, and a mutant that
 * breaks a property breaks it on a few cases. `npm test` keeps fast-check's defaults.
 */
import fc from 'fast-check';

fc.configureGlobal({ numRuns: 30 });
