// The Step Functions service as the gateway dispatches it: JSON 1.0 (`AWSStepFunctions.*`),
// signing name `states`. Requests are checked against the model's constraints by each action
// (withModelChecks: AWS's "1 validation error detected" wording); the front only decodes types.
import { type AnyAction, type ServiceSpec, actionMap, eraseService } from '../action.js';
import { withLooseInput } from '../kinesis/validation.js';
import { createActivity } from './actions/create-activity.js';
import { createStateMachine } from './actions/create-state-machine.js';
import { createStateMachineAlias } from './actions/create-state-machine-alias.js';
import { deleteActivity } from './actions/delete-activity.js';
import { deleteStateMachine } from './actions/delete-state-machine.js';
import { deleteStateMachineAlias } from './actions/delete-state-machine-alias.js';
import { deleteStateMachineVersion } from './actions/delete-state-machine-version.js';
import { describeActivity } from './actions/describe-activity.js';
import { describeStateMachine } from './actions/describe-state-machine.js';
import { describeStateMachineAlias } from './actions/describe-state-machine-alias.js';
import { listActivities } from './actions/list-activities.js';
import { listStateMachineAliases } from './actions/list-state-machine-aliases.js';
import { listStateMachineVersions } from './actions/list-state-machine-versions.js';
import { listStateMachines } from './actions/list-state-machines.js';
import { listTagsForResource } from './actions/list-tags-for-resource.js';
import { publishStateMachineVersion } from './actions/publish-state-machine-version.js';
import { tagResource } from './actions/tag-resource.js';
import { untagResource } from './actions/untag-resource.js';
import { updateStateMachine } from './actions/update-state-machine.js';
import { updateStateMachineAlias } from './actions/update-state-machine-alias.js';
import { validateStateMachineDefinition } from './actions/validate-state-machine-definition.js';
import { EXECUTION_ACTIONS } from './actions/executions/index.js';
import { type SfnBackend } from './backend.js';

/** Every action checks its own input with the model's constraints (withModelChecks). */
export const SFN_ACTIONS: AnyAction<SfnBackend>[] = [
  // State machines, versions, aliases.
  createStateMachine,
  describeStateMachine,
  updateStateMachine,
  deleteStateMachine,
  listStateMachines,
  publishStateMachineVersion,
  listStateMachineVersions,
  deleteStateMachineVersion,
  createStateMachineAlias,
  describeStateMachineAlias,
  updateStateMachineAlias,
  deleteStateMachineAlias,
  listStateMachineAliases,
  validateStateMachineDefinition,
  // Tags (state machines and activities).
  tagResource,
  untagResource,
  listTagsForResource,
  // Activities.
  createActivity,
  deleteActivity,
  describeActivity,
  listActivities,
  // Executions, callbacks, activity workers, TestState.
  ...EXECUTION_ACTIONS,
];

export function sfnService(backend: SfnBackend, extra: AnyAction<SfnBackend>[] = []): ServiceSpec {
  const spec: ServiceSpec<SfnBackend> = {
    signingName: 'states',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    queryCompatible: false,
    // The front checks only types (a wrong JSON type is AWS's SerializationException); every
    // constraint is the actions' ValidationException, SFN's shape rather than Lambda's.
    errorAliases: { InvalidParameterValue: 'SerializationException', MissingParameter: 'SfnValidationException', ValidationException: 'SfnValidationException' },
    // SFN speaks JSON only; the Query fields below are never matched by a request.
    queryVersion: '2016-11-23',
    xmlNamespace: 'http://swf.amazonaws.com/doc/2015-07-20/',
    actions: actionMap([...SFN_ACTIONS, ...extra].map(withLooseInput)),
    deps: backend,
  };
  return eraseService(spec);
}
