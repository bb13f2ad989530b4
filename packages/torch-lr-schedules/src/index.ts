// PyTorch's learning-rate schedulers (torch/optim/lr_scheduler.py, PyTorch 1.13–2.x) for any
// training loop in JavaScript: same definitions, same stepping, same numbers.
export { createSchedule, plannedLearningRates, SCHEDULE_TYPES, torchClassOf, type ScheduleOptions, type ScheduleType } from './createSchedule';
export type { LrSchedule, ScheduleContext, ScheduleSpec, ScheduleSpecInput } from './schedule';
export { ScheduleConfigError } from './scheduleConfigError';
