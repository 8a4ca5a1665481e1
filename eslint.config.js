// ESLint (flat config): typescript-eslint's type-aware recommended rules over src/ and test/,
// the plain recommended rules over the JavaScript of bench/, scripts/ and examples/; formatting
// is Prettier's (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'coverage/', 'src/generated/', 'examples/**/__generated__/', 'test/artifacts/', '.scratch/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'examples/relay/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests read JSON answers of whatever shape the server sent, and say what they expect of them.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes of async interfaces answer at once.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    rules: {
      // `_name` marks what a signature needs and the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  prettier,
  {
    // Prettier wraps code at 140 characters and leaves strings and comments as they are; this rule
    // (which eslint-config-prettier turns off above) holds those to the same width.
    rules: { 'max-len': ['error', { code: 140, tabWidth: 2 }] },
  },
);
