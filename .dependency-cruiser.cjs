// Import boundaries of the house (see the README's architecture section); `npm test` checks them.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'workflows-only-deterministic-imports',
      comment: 'Workflows import workflows/ and common/; activities/ only for their types (the bundle must stay deterministic).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(activities|client|worker|demo|bench|test)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-no-client-worker-demo',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(client|worker|demo|bench|test)/' },
    },
    {
      name: 'common-is-shared-by-all-sides',
      comment: 'common/ is pure and used by workflows, activities and the client: it imports none of them.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(activities|workflows|client|worker|demo|bench|test)/' },
    },
    {
      name: 'common-and-workflows-no-node-core',
      comment: 'common/ runs inside the workflow sandbox too: no Node.js core modules (fs, crypto, net...).',
      severity: 'error',
      from: { path: '^(common|workflows)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'skills-never-import-each-other',
      comment: 'A skill imports toolkits (activities/postgres, activities/redis, activities/http), the skill contract and common/.',
      severity: 'error',
      from: { path: '^activities/skills/([^/]+)/' },
      to: { path: '^activities/skills/([^/]+)/', pathNot: '^activities/skills/$1/' },
    },
    {
      name: 'skills-only-toolkits-and-store',
      comment: 'Skills do not reach into other concerns (actions, profiling, load tests): what they share is a toolkit.',
      severity: 'error',
      from: { path: '^activities/skills/' },
      to: { path: '^activities/(actions|profiling|loadtest)/' },
    },
    {
      name: 'toolkits-are-leaves',
      comment: 'Toolkits are used by skills, actions and profiling; they import none of those.',
      severity: 'error',
      from: { path: '^activities/(postgres|redis|http)/' },
      to: { path: '^activities/(skills|actions|profiling|loadtest|precheck)' },
    },
    {
      name: 'actions-do-not-import-skills-or-profiling',
      severity: 'error',
      from: { path: '^activities/actions/' },
      to: { path: '^activities/(skills|profiling|loadtest)/' },
    },
    {
      name: 'activities-never-import-workflows-or-client',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(workflows|client|worker|demo|bench|test)/' },
    },
    {
      name: 'client-reaches-activities-through-temporal',
      comment:
        'The CLI talks to workflows through Temporal. Named exceptions: ' +
        'the dev-stack launcher (creates the store database, seeds the demo) ' +
        'and the store queries of activities/store/queries (baselines, trend: the CLI opens its own pool).',
      severity: 'error',
      from: { path: '^client/', pathNot: '^client/(commands/dev\\.ts|dev/)' },
      to: { path: '^(activities|worker|demo)/', pathNot: '^activities/store/queries' },
    },
    {
      name: 'nothing-imports-the-client',
      severity: 'error',
      from: { pathNot: '^(client|test|bench)/' },
      to: { path: '^client/' },
    },
    {
      name: 'no-circular',
      comment: 'Cycles of type-only imports are harmless; cycles of code are not.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|\\.tools|\\.data|reports)/' },
  },
};
