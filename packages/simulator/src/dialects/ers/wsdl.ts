/** The ERS external top-up WSDL (document/literal, JAX-WS style: unqualified children). */
export const ERS_NS = 'http://external.interfaces.ers.seamless.com/';

export function ersWsdl(location: string): string {
  const s = (name: string, type = 'xsd:string') =>
    `<xsd:element name="${name}" type="${type}" minOccurs="0"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:tns="${ERS_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="${ERS_NS}" name="ERSWSTopupService">
  <types>
    <xsd:schema targetNamespace="${ERS_NS}" elementFormDefault="unqualified" version="1.0">
      <xsd:element name="requestTopup" type="tns:requestTopup"/>
      <xsd:element name="requestTopupResponse" type="tns:requestTopupResponse"/>
      <xsd:element name="getTransactionStatus" type="tns:getTransactionStatus"/>
      <xsd:element name="getTransactionStatusResponse" type="tns:getTransactionStatusResponse"/>
      <xsd:complexType name="requestTopup"><xsd:sequence>
        ${s('context', 'tns:clientContext')}
        ${s('senderPrincipalId', 'tns:principalId')}
        ${s('topupPrincipalId', 'tns:principalId')}
        ${s('senderAccountSpecifier', 'tns:principalAccountSpecifier')}
        ${s('topupAccountSpecifier', 'tns:principalAccountSpecifier')}
        ${s('productId')}
        ${s('amount', 'tns:amount')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="getTransactionStatus"><xsd:sequence>
        ${s('context', 'tns:clientContext')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="clientContext"><xsd:sequence>
        ${s('channel')}
        ${s('clientId')}
        ${s('clientReference')}
        ${s('clientRequestTimeout', 'xsd:long')}
        ${s('initiatorPrincipalId', 'tns:principalId')}
        ${s('password')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="principalId"><xsd:sequence>
        ${s('id')}
        ${s('type')}
        ${s('userId')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="principalAccountSpecifier"><xsd:sequence>
        ${s('accountId')}
        ${s('accountTypeId')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="amount"><xsd:sequence>
        ${s('currency')}
        ${s('value', 'xsd:decimal')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="principal"><xsd:sequence>
        ${s('principalId', 'tns:principalId')}
        ${s('principalName')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="topupResponse"><xsd:sequence>
        ${s('ersReference')}
        <xsd:element name="resultCode" type="xsd:int"/>
        ${s('resultDescription')}
        ${s('requestedTopupAmount', 'tns:amount')}
        ${s('senderPrincipal', 'tns:principal')}
        ${s('topupAccountSpecifier', 'tns:principalAccountSpecifier')}
        ${s('topupAmount', 'tns:amount')}
        ${s('topupPrincipal', 'tns:principal')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="requestTopupResponse"><xsd:sequence>
        ${s('return', 'tns:topupResponse')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="getTransactionStatusResponse"><xsd:sequence>
        ${s('return', 'tns:topupResponse')}
      </xsd:sequence></xsd:complexType>
    </xsd:schema>
  </types>
  <message name="requestTopup"><part name="parameters" element="tns:requestTopup"/></message>
  <message name="requestTopupResponse"><part name="parameters" element="tns:requestTopupResponse"/></message>
  <message name="getTransactionStatus"><part name="parameters" element="tns:getTransactionStatus"/></message>
  <message name="getTransactionStatusResponse"><part name="parameters" element="tns:getTransactionStatusResponse"/></message>
  <portType name="ERSWSTopupService">
    <operation name="requestTopup">
      <input message="tns:requestTopup"/><output message="tns:requestTopupResponse"/>
    </operation>
    <operation name="getTransactionStatus">
      <input message="tns:getTransactionStatus"/><output message="tns:getTransactionStatusResponse"/>
    </operation>
  </portType>
  <binding name="ERSWSTopupServicePortBinding" type="tns:ERSWSTopupService">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <operation name="requestTopup">
      <soap:operation soapAction=""/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
    <operation name="getTransactionStatus">
      <soap:operation soapAction=""/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="ERSWSTopupService">
    <port name="ERSWSTopupServicePort" binding="tns:ERSWSTopupServicePortBinding">
      <soap:address location="${location}"/>
    </port>
  </service>
</definitions>
`;
}
