import { Module } from '@nestjs/common';
import { FunctionSandbox } from './function-sandbox';
import { FunctionTester } from './function-tester';

/** The JavaScript sandbox for transform functions, shared by subscriptions (validation), deliveries (dispatch) and the test routes. */
@Module({
  providers: [FunctionSandbox, FunctionTester],
  exports: [FunctionSandbox, FunctionTester],
})
export class FunctionsModule {}
