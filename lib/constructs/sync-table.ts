import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  type StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { GSI1_PROJECTED_ATTRIBUTES, TABLE_KEYS } from '../../lambdas/shared/table-schema';

/**
 * What gsi1 projects. `public`: the public attributes its access patterns return
 * (`GSI1_PROJECTED_ATTRIBUTES`), so raising `lastSeenAt` or touching bookkeeping never writes the
 * index. `all`: every attribute, as deployments before it had; keep it on such a deployment to
 * avoid rebuilding the index (docs/table.md, "Keys and index").
 */
export type Gsi1Projection = 'public' | 'all';

export interface SyncTableProps {
  /**
   * What happens to the table when the stack is deleted. It holds the only copy of the synced
   * data outside Clerk, so by default it stays.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection. Follows the removal policy unless set: a table the stack
   * would destroy must be deletable, a retained one is protected.
   * @default - true unless `removalPolicy` is DESTROY
   */
  readonly deletionProtection?: boolean;
  /**
   * DynamoDB stream of the table's changes. On only while a feature reads it (mail
   * notifications need NEW_AND_OLD_IMAGES), so turning that feature off leaves nothing behind.
   * @default - no stream
   */
  readonly stream?: StreamViewType;
  /**
   * What the gsi1 index projects. Changing it on a deployed table rebuilds the index.
   * @default 'public'
   */
  readonly gsi1Projection?: Gsi1Projection;
}

/**
 * The single table of the public contract (docs/table.md): keys, index and TTL attribute named by `TABLE_KEYS`, on-demand,
 * point-in-time recovery, encrypted with the AWS-managed key.
 */
export class SyncTable extends Construct {
  public readonly table: TableV2;
  /** The stream's view type, when the table has a stream. */
  public readonly streamViewType?: StreamViewType;

  constructor(scope: Construct, id: string, props: SyncTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE_KEYS;
    this.streamViewType = props.stream;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: gsi1.indexName,
          partitionKey: { name: gsi1.partitionKey, type: AttributeType.STRING },
          sortKey: { name: gsi1.sortKey, type: AttributeType.STRING },
          ...(props.gsi1Projection === 'all'
            ? { projectionType: ProjectionType.ALL }
            : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...GSI1_PROJECTED_ATTRIBUTES] }),
        },
      ],
      timeToLiveAttribute: ttlAttribute,
      dynamoStream: props.stream,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.deletionProtection ?? removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
  }
}
