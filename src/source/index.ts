// Reading the user's source without running it. Bundled on its own (dist/sourceTools.js) so the
// extension host loads the parser only when a file is first looked at (src/host/sourceTools.ts).
export { parseSource, startOf, unwrapExpression, propertyName, type ParsedSource, type SourceTree } from './sourceTree';
export {
  defaultExportExpression, findExperimentExport, findProperty, isExperimentSource, locateSetting, locateSettingInText, recognizeExperiment, resolveValue,
  type ExperimentExport, type Recognition, type SettingLocation,
} from './experimentExport';
export { editFreezeList, minimalEdit, stringLiteral, type FreezeEditResult, type TextEdit } from './freezeEdit';
export { firstTrainingCall } from './trainingCall';
