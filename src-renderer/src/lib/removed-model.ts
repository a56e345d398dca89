// A model no longer in the registry, and a task id the task table lacks, named from their ids: the contract's rules.
export { removedModelName, unknownTaskName } from '$contract/model-ids';
