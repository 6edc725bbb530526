/**
 * Lighthouse (mobile preset) on a running Parley: `npm run lighthouse -- http://localhost:3000`. Prints each page's
 * scores and the audits short of full marks; exits with 1 when a page misses the targets of issue 11.
 */
import { auditParley, describeScores, shortfalls } from './audit.js';

const baseUrl = process.argv[2] ?? 'http://localhost:3000';
let missed = false;
for (const scores of await auditParley(baseUrl)) {
  console.log(describeScores(scores));
  const below = shortfalls(scores);
  if (below.length > 0) {
    missed = true;
    console.log(`  below target: ${below.join(', ')}`);
  }
}
process.exitCode = missed ? 1 : 0;
