package dev.deepretrieval.actors;

/**
 * Marks a message that may cross nodes of the cluster: Pekko serialises every implementation in Jackson CBOR (the
 * binding is in {@code application.conf}; Java serialization is off). An implementation is a record of plain values
 * (ids, numbers, text, lists of those); a polymorphic field names its types with {@code @JsonTypeInfo(use = NAME)},
 * never by class name.
 */
public interface ClusterMessage {}
