import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { ProjectAccess } from '../auth';
import { FunctionRequestDto, FunctionResponseDto } from './dto/function.dto';
import { FunctionTester } from './function-tester';

const MESSAGE = 'Transformer function run successfully';

/**
 * Both of Convoy's test_function routes. The source one lives here too, so trying a source's
 * body or header function needs nothing of the sources themselves.
 */
@ApiTags('Functions')
@ProjectAccess()
@Controller('api/v1/projects/:projectID')
export class FunctionsController {
  constructor(private readonly tester: FunctionTester) {}

  /** Runs a subscription's transform function on a sample payload. */
  @Post('subscriptions/test_function')
  @HttpCode(200)
  @ApiEnvelope(FunctionResponseDto)
  @ApiResponse({ status: 400, description: 'the function does not compile, throws, runs too long or uses too much memory', type: ErrorEnvelopeDto })
  async testSubscriptionFunction(@Param('projectID') projectId: string, @Body() body: FunctionRequestDto): Promise<Envelope<FunctionResponseDto>> {
    return ok(MESSAGE, await this.tester.test(projectId, body, 'subscription'));
  }

  /** Runs a source's body or header function on a sample payload; with `type: body` the result must be an event. */
  @Post('sources/test_function')
  @HttpCode(200)
  @ApiEnvelope(FunctionResponseDto)
  @ApiResponse({ status: 400, description: 'the function fails, or (type body) its result is not an event', type: ErrorEnvelopeDto })
  async testSourceFunction(@Param('projectID') projectId: string, @Body() body: FunctionRequestDto): Promise<Envelope<FunctionResponseDto>> {
    return ok(MESSAGE, await this.tester.test(projectId, body, 'source'));
  }
}
