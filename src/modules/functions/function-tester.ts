import { Injectable } from '@nestjs/common';
import { unprocessable } from '../../common/errors/domain-error';
import { FunctionRequestDto, FunctionResponseDto } from './dto/function.dto';
import { functionError } from './function-errors';
import { FunctionFailure, FunctionSandbox } from './function-sandbox';
import { sourceBodyProblem } from './source-body';

/** Convoy's test_function routes: run a function on a sample payload and show the result and the log. */
@Injectable()
export class FunctionTester {
  constructor(private readonly sandbox: FunctionSandbox) {}

  async test(projectId: string, dto: FunctionRequestDto, target: 'subscription' | 'source'): Promise<FunctionResponseDto> {
    let output: string;
    let log: string[];
    try {
      ({ output, log } = await this.sandbox.run(dto.function, JSON.stringify(dto.payload ?? null), projectId));
    } catch (e) {
      if (e instanceof FunctionFailure) throw functionError(e);
      throw e;
    }
    const payload: unknown = JSON.parse(output);
    if (target === 'source' && dto.type === 'body') {
      const problem = sourceBodyProblem(payload);
      if (problem) throw unprocessable('function_invalid_event', problem);
    }
    return { payload, log };
  }
}
