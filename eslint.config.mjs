// ESLint (typescript-eslint) for the whole tree; Prettier owns the formatting (eslint-config-prettier).
// The size limits keep files and functions readable: new code cannot grow past them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import stylistic from '@stylistic/eslint-plugin';

const SIZE_LIMITS = {
  'max-lines': ['error', { max: 400 }],
  'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'reports/', 'dist/', 'test/replay/histories/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Prettier wraps code at 140 but never breaks strings, template literals or comments: this caps what it leaves.
  {
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  // The product's code: workflows, activities and common logic stay small.
  { files: ['workflows/**/*.ts', 'activities/**/*.ts', 'common/**/*.ts'], rules: SIZE_LIMITS },
  // Corpus and fixtures are data, and tests are lists of cases: no size limits there.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  // Plain Node.js CommonJS scripts and configs, run as they are (not compiled): Node's globals and require().
  {
    files: ['bench/loadgen/node-target.js', '*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        module: 'writable',
        exports: 'writable',
        __filename: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
