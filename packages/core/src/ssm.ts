/** `awcc-mobile` -> `AWCC_MOBILE`: how an operator id appears in AWS names. */
export function operatorEnvName(operatorId: string): string {
  return operatorId.toUpperCase().replace(/-/g, '_');
}

/**
 * The SSM parameter that holds an operator's subnet id: `/mno/subnets/{OPERATOR}_SUBNET_ID`.
 * The CDK app writes it and the gateway reads it; both call this one function.
 */
export function ssmSubnetParameterName(operatorId: string): string {
  return `/mno/subnets/${operatorEnvName(operatorId)}_SUBNET_ID`;
}
