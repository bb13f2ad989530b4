// A TypeScript server plugin (contributes.typescriptServerPlugins): in experiment files,
// `@tensorflow/tfjs*` and `model-lens` resolve to type declarations shipped with Model Lens when the
// workspace has no node_modules of its own, so a bare folder shows no red squiggles. It only adds
// resolutions where TypeScript found none; it never replaces the user's own packages.
import * as path from 'node:path';
import type * as ts from 'typescript/lib/tsserverlibrary';

const PROVIDED = /^(@tensorflow\/tfjs(-[a-z-]+)?|model-lens)$/;

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const tsApi = modules.typescript;
  // The plugin is <extension>/node_modules/model-lens-typescript-plugin (in the repo, a link to
  // ts-plugin/): the types are in <extension>/dist/types either way.
  const anchor = path.join(__dirname, '..', '..', 'dist', 'types', 'anchor.d.ts');
  return {
    create(info) {
      const host = info.languageServiceHost as ts.LanguageServiceHost & {
        resolveModuleNameLiterals?: (literals: readonly ts.StringLiteralLike[], containingFile: string, redirected: unknown,
          options: ts.CompilerOptions, ...rest: unknown[]) => readonly ts.ResolvedModuleWithFailedLookupLocations[];
      };
      const original = host.resolveModuleNameLiterals?.bind(host);
      if (original) {
        host.resolveModuleNameLiterals = (literals, containingFile, redirected, options, ...rest) => {
          const resolved = original(literals, containingFile, redirected, options, ...rest);
          return resolved.map((r, i) => {
            const name = literals[i].text;
            if (r.resolvedModule || !PROVIDED.test(name)) return r;
            const ours = tsApi.resolveModuleName(name, anchor, { ...options, moduleResolution: tsApi.ModuleResolutionKind.Node10 }, tsApi.sys);
            return ours.resolvedModule ? ours : r;
          });
        };
      }
      info.project.projectService.logger.info(`model-lens-typescript-plugin: types from ${path.dirname(anchor)}`);
      return info.languageService;
    },
  };
}

export = init;
