// Compile-time proof that the protocol's message types and their checks cannot drift apart.
// `npm run typecheck` compiles this file (it is not run): every line under `@ts-expect-error` must
// fail to compile, and if one ever compiles (a missing check accepted), tsc fails with "Unused
// '@ts-expect-error' directive".
import { TRAINER_COMMAND_CHECKS, TRAINER_MESSAGE_CHECKS } from '../../src/protocol/messageChecks';
import type { BatchMessage, DatasetInfo, TrainerCommand, TrainerMessage } from '../../src/protocol/messages';
import { HOST_TO_PANEL_CHECKS, PANEL_TO_HOST_CHECKS, type HostToPanel, type PanelToHost } from '../../src/protocol/panelMessages';
import { arrayOf, finite, integer, objectOf, optional, string, type Check, type TaggedFields } from '../../src/protocol/validation';

// The real tables check exactly the real unions.
export const trainerMessages: TaggedFields<TrainerMessage> = TRAINER_MESSAGE_CHECKS;
export const trainerCommands: TaggedFields<TrainerCommand> = TRAINER_COMMAND_CHECKS;
export const panelToHost: TaggedFields<PanelToHost> = PANEL_TO_HOST_CHECKS;
export const hostToPanel: TaggedFields<HostToPanel<unknown>> = HOST_TO_PANEL_CHECKS;

// A field added to a message, and no check for it.
type BatchWithMemory = Exclude<TrainerMessage, BatchMessage> | (BatchMessage & { gpuBytes: number });
// @ts-expect-error batch.gpuBytes has no check
export const fieldWithoutCheck: TaggedFields<BatchWithMemory> = TRAINER_MESSAGE_CHECKS;

// A message type added to each union, and no checks for it.
// @ts-expect-error no checks for a `checkpoint` trainer message
export const trainerTypeWithoutCheck: TaggedFields<TrainerMessage | { type: 'checkpoint'; path: string }> = TRAINER_MESSAGE_CHECKS;
// @ts-expect-error no checks for a `checkpoint` trainer command
export const commandWithoutCheck: TaggedFields<TrainerCommand | { type: 'checkpoint' }> = TRAINER_COMMAND_CHECKS;
// @ts-expect-error no checks for a `select` panel message
export const panelTypeWithoutCheck: TaggedFields<PanelToHost | { type: 'select'; layer: string }> = PANEL_TO_HOST_CHECKS;
// @ts-expect-error no checks for a `theme` host message
export const hostTypeWithoutCheck: TaggedFields<HostToPanel<unknown> | { type: 'theme'; dark: boolean }> = HOST_TO_PANEL_CHECKS;

// A nested object's check: every field, nothing else, each of the field's type.
type Dataset = Pick<DatasetInfo, 'name' | 'trainCount' | 'classNames'> & { folder?: string };
export const dataset: Check<Dataset> = objectOf({ name: string, trainCount: integer, classNames: arrayOf(string), folder: optional(string) });
// @ts-expect-error classNames has no check
export const nestedFieldWithoutCheck: Check<Dataset> = objectOf({ name: string, trainCount: integer, folder: optional(string) });
// @ts-expect-error an optional field still needs its check
export const optionalFieldWithoutCheck: Check<Dataset> = objectOf({ name: string, trainCount: integer, classNames: arrayOf(string) });
// @ts-expect-error a check of a field the type does not have
export const checkOfNoField: Check<Dataset> = objectOf({ name: string, trainCount: integer, classNames: arrayOf(string), folder: optional(string), size: finite });
// @ts-expect-error a check that lets through what the field cannot hold (a string for a count)
export const checkOfAnotherType: Check<Dataset> = objectOf({ name: string, trainCount: string, classNames: arrayOf(string), folder: optional(string) });
// @ts-expect-error an object check needs the type it checks: from where it is used, or given
export const untypedObject: Check<Dataset> = (() => { const c = objectOf({ name: string }); return c; })();
