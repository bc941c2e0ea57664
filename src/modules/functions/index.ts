export { FunctionsModule } from './functions.module';
export { FunctionsController } from './functions.controller';
export { FunctionSandbox, FunctionFailure } from './function-sandbox';
export type { FunctionFailureKind, FunctionResult } from './function-sandbox';
export { functionError } from './function-errors';
export { sourceBodyProblem } from './source-body';
