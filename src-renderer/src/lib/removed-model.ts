// A model no longer in the registry, named from its id: the contract's rule, which a run's report uses too.
export { removedModelName } from '$contract/model-ids';
